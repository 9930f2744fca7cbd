import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Job } from './executor.js';
import type { FromThread, PoolWorkerData, ToThread } from './pool-worker.js';
import type { JobErrorInfo } from './_job-error.js';
import { fromWireJson } from './wire-json.js';
import { jobKindModules } from './job-handlers.js';
import { StitchgraphError } from '../errors.js';

export type TaskResult = { ok: true; value: unknown } | { ok: false; error: JobErrorInfo };

export interface ThreadPoolOptions {
  /** Worker threads. @default availableParallelism() */
  size?: number;
  /** Module URLs (or absolute paths) each thread imports before its first job: extra job kinds. @default [] */
  preload?: string[];
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** The handler called `ctx.heartbeat()`. */
  onHeartbeat?: () => void;
}

interface Task {
  seq: number;
  job: Job;
  opts: ExecOptions;
  /** Threads that died under this task; one crash is retried, a second one fails it. */
  crashes: number;
  resolve: (r: TaskResult) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  task: Task | undefined;
  ready: boolean;
  dead: boolean;
}

/**
 * How a thread finds its entry: the compiled `pool-worker.js` next to this module (the CLI runs
 * from dist/), else the TypeScript source through tsx's loader (vitest and `tsx` run the sources,
 * which Node cannot import in a fresh thread on its own).
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  const js = new URL('./pool-worker.js', import.meta.url);
  if (js.protocol === 'file:' && existsSync(fileURLToPath(js))) return { entry: js, eval: false };
  const ts = new URL('./pool-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) {
    throw new StitchgraphError('ExecutorError', `Cannot start the worker pool: neither ${fileURLToPath(js)} nor ${fileURLToPath(ts)} exists (run \`npm run build\`)`);
  }
  // tsx's ESM api (its CommonJS twin cannot register ESM hooks from an eval'd thread).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); });`;
  return { entry: code, eval: true };
}

/**
 * A pool of worker threads running registry jobs (`job-handlers.ts`), one job per thread at a
 * time, threads started lazily up to `size`. A thread that dies (an uncaught error, out of memory,
 * `process.exit` in a handler) is replaced; its job is retried once on a fresh thread, then
 * reported failed. Aborting a running job terminates its thread: jobs are descriptors, rerunning
 * one is always safe.
 */
export class ThreadPool {
  readonly size: number;
  private readonly preload: string[];
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private seq = 0;
  private closed = false;
  private entry: { entry: URL | string; eval: boolean } | undefined;

  constructor(opts: ThreadPoolOptions = {}) {
    const { size = availableParallelism(), preload = [] } = opts;
    if (!Number.isInteger(size) || size < 1) throw new StitchgraphError('InputError', `Cannot create a worker pool of ${size} threads: expected an integer ≥ 1`);
    this.size = size;
    this.preload = preload.map((p) => (p.startsWith('file:') || p.startsWith('data:') ? p : pathToFileURL(resolvePath(p)).href));
  }

  /** Run one job on a pool thread. Resolves with the handler's value or error; rejects only on abort or close. */
  exec(job: Job, opts: ExecOptions = {}): Promise<TaskResult> {
    if (this.closed) return Promise.reject(new StitchgraphError('ExecutorError', 'Cannot run a job: the worker pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    return new Promise<TaskResult>((resolve, reject) => {
      const task: Task = { seq: ++this.seq, job, opts, crashes: 0, resolve, reject };
      if (opts.signal) {
        task.onAbort = () => this.abortTask(task, opts.signal?.reason);
        opts.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Threads started and alive (for tests and stats). */
  get threads(): number {
    return this.slots.filter((s) => !s.dead).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const err = new StitchgraphError('ExecutorError', 'Cannot finish the job: the worker pool was closed');
    for (const t of this.queue.splice(0)) this.settle(t, () => t.reject(err));
    const slots = this.slots.splice(0);
    for (const s of slots) if (s.task) this.settle(s.task, () => s.task?.reject(err));
    await Promise.all(slots.map((s) => ((s.dead = true), s.worker.terminate())));
  }

  private settle(task: Task, fn: () => void): void {
    if (task.onAbort) task.opts.signal?.removeEventListener('abort', task.onAbort);
    fn();
  }

  private abortTask(task: Task, reason: unknown): void {
    const i = this.queue.indexOf(task);
    if (i >= 0) this.queue.splice(i, 1);
    const slot = this.slots.find((s) => s.task === task);
    if (slot) {
      slot.task = undefined;
      this.kill(slot);
    }
    this.settle(task, () => task.reject(reason));
    this.dispatch();
  }

  private kill(slot: Slot): void {
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.slots.find((s) => s.ready && !s.task && !s.dead);
      if (!slot) {
        // Threads that are still starting will take queued work when ready.
        const starting = this.slots.filter((s) => !s.ready && !s.dead).length;
        if (this.slots.length >= this.size || starting >= this.queue.length) return;
        this.spawn();
        continue;
      }
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.postMessage({ type: 'run', seq: task.seq, job: task.job } satisfies ToThread);
    }
  }

  private spawn(): void {
    this.entry ??= workerEntry();
    // The kinds this process knows by now (stages register theirs on import), then the extra modules.
    const data: PoolWorkerData = { preload: [...new Set([...jobKindModules(), ...this.preload])] };
    const worker = new Worker(this.entry.entry, { eval: this.entry.eval, workerData: data });
    const slot: Slot = { worker, task: undefined, ready: false, dead: false };
    this.slots.push(slot);
    worker.on('message', (msg: FromThread) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        this.dispatch();
      } else if (msg.type === 'heartbeat') {
        if (slot.task?.seq === msg.seq) slot.task.opts.onHeartbeat?.();
      } else if (msg.type === 'done') {
        const task = slot.task;
        if (!task || task.seq !== msg.seq) return;
        slot.task = undefined;
        this.settle(task, () => task.resolve(msg.ok ? { ok: true, value: fromWireJson(msg.json) } : { ok: false, error: msg.error }));
        this.dispatch();
      }
    });
    const onDeath = (why: string) => {
      if (slot.dead) return;
      slot.dead = true;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const task = slot.task;
      slot.task = undefined;
      if (task) {
        task.crashes++;
        if (task.crashes < 2) this.queue.unshift(task);
        else this.settle(task, () => task.resolve({ ok: false, error: { message: `Cannot run job ${task.job.id}: its worker thread died twice (${why})` } }));
      } else if (!slot.ready && this.queue.length > 0) {
        // A thread that cannot even start (bad preload, broken build) fails the queue instead of respawning forever.
        for (const t of this.queue.splice(0)) this.settle(t, () => t.resolve({ ok: false, error: { message: `Cannot start a worker thread: ${why}` } }));
      }
      void worker.terminate();
      this.dispatch();
    };
    worker.on('error', (err) => onDeath(err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
  }
}

import { hostname, availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, type Consumer, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { apiTimeoutMs, connectNats, type NatsSession } from './nats-connect.js';
import { natsNames } from './nats-names.js';
import { ThreadPool, type TaskResult } from './thread-pool.js';
import { isPermanentJobError } from './_job-error.js';
import type { ResultRecord, RunEntry } from './_nats-records.js';
import type { Job } from './executor.js';
import { fromWireJson, toWireJson } from './wire-json.js';
import type { NatsSettings } from '../campaign/sections/distributed.js';
import { getLogger } from '../log.js';

export interface NatsWorkerOptions {
  /** Connection settings and `stream_prefix` (the other fields come from each run's announcement). */
  settings: Pick<NatsSettings, 'servers' | 'user' | 'pass' | 'token' | 'creds' | 'tls' | 'connect_timeout_s' | 'stream_prefix'> & { api_timeout_s?: number };
  /** Jobs run at once (threads in the pool). @default availableParallelism() */
  concurrency?: number;
  /** Name in logs and result records. @default `${hostname()}-${pid}-${n}` */
  id?: string;
  /** Modules each pool thread imports first (extra job kinds). @default [] */
  preload?: string[];
  /** Reuse a connection (the coordinator's in-process workers); it is left open on stop. */
  session?: NatsSession;
  /** Aborting drains the worker, like `stop()`. */
  signal?: AbortSignal;
  log?: Logger;
}

interface RunState {
  entry: RunEntry;
  consumer?: Consumer;
  results?: KV;
  idle: boolean;
}

let workerCount = 0;


/** Longest wait for the connection to drain when a worker stops. */
const DRAIN_TIMEOUT_MS = 5_000;
/**
 * A NATS JetStream worker (the `stitchgraph worker` process, or in-process workers of a
 * coordinator): finds open runs in the `<prefix>_runs` bucket, pulls job descriptors one at a time
 * per free slot from each run's work-queue stream, runs them on a thread pool, stores the result
 * in the run's results bucket and only then acks. Long jobs are kept alive with `working()` on a
 * timer; a handler error is `nak`ed with a delay until the last delivery, where the failure is
 * recorded and the message `term`ed; invalid input is recorded and `term`ed at once (no reason
 * string: NATS 2.9). `stop()` (or the abort signal) drains: no new pulls, in-flight jobs finish
 * and are acked.
 */
export class NatsWorker {
  readonly id: string;
  readonly concurrency: number;
  readonly stats = { completed: 0, failed: 0, retried: 0, skipped: 0 };
  /** Resolves once the worker has drained and closed. */
  readonly finished: Promise<void>;

  private readonly runs = new Map<string, RunState>();
  private stopping = false;
  private readonly wakers = new Set<() => void>();
  private rr = 0;
  private stopWatch: (() => void) | undefined;
  private resolveFinished!: () => void;

  private constructor(
    private readonly session: NatsSession,
    private readonly ownsSession: boolean,
    private readonly js: JetStreamClient,
    private readonly kvm: Kvm,
    private readonly pool: ThreadPool,
    private readonly log: Logger,
    opts: NatsWorkerOptions,
  ) {
    this.concurrency = pool.size;
    this.id = opts.id ?? `${hostname()}-${process.pid}-${++workerCount}`;
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  static async start(opts: NatsWorkerOptions): Promise<NatsWorker> {
    const session = opts.session ?? (await connectNats({ ...opts.settings }, 'stitchgraph worker'));
    const pool = new ThreadPool({ size: opts.concurrency ?? availableParallelism(), preload: opts.preload });
    const js = jetstream(session.nc, { timeout: apiTimeoutMs(opts.settings) });
    const w = new NatsWorker(session, !opts.session, js, new Kvm(js), pool, opts.log ?? getLogger(), opts);
    try {
      await w.watchRuns(natsNames(opts.settings.stream_prefix, 'x').runsBucket);
    } catch (err) {
      await pool.close();
      if (!opts.session) await session.nc.close();
      throw err;
    }
    if (opts.signal) {
      if (opts.signal.aborted) void w.stop();
      else opts.signal.addEventListener('abort', () => void w.stop(), { once: true });
    }
    const slots = Array.from({ length: w.concurrency }, () => w.slotLoop());
    void Promise.allSettled(slots).then(() => w.shutdown());
    w.log.info({ worker: w.id, concurrency: w.concurrency }, 'NATS worker started');
    return w;
  }

  /** Drain: stop pulling, let running jobs finish and ack, then close. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.stopWatch?.();
      this.wakeAll();
    }
    await this.finished;
  }

  private async shutdown(): Promise<void> {
    await this.pool.close();
    if (this.ownsSession) {
      // A drain needs the server: when it is gone (the client reconnects forever) give up after a
      // bounded wait and close, so a stopped worker always exits.
      const nc = this.session.nc;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        nc.drain().then(() => false, () => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), DRAIN_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (gaveUp) {
        this.log.warn({ worker: this.id }, `could not drain the NATS connection within ${DRAIN_TIMEOUT_MS / 1000} s (server unreachable?): closing`);
        await nc.close().catch(() => {});
      }
    }
    this.log.info({ worker: this.id, ...this.stats }, 'NATS worker stopped');
    this.resolveFinished();
  }

  private async watchRuns(bucket: string): Promise<void> {
    const runsKv = await this.kvm.create(bucket, { history: 1 });
    const watch = await runsKv.watch();
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT') {
          const entry = e.json<RunEntry>();
          if (!this.runs.has(entry.runId)) this.runs.set(entry.runId, { entry, idle: false });
        } else this.runs.delete(e.key);
        this.wakeAll();
      }
    })().catch((err: unknown) => this.log.warn({ error: (err as Error).message }, 'runs watch ended'));
  }

  private wakeAll(): void {
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  private async waitForRuns(ms: number): Promise<void> {
    const ac = new AbortController();
    let waker: (() => void) | undefined;
    const woken = new Promise<void>((r) => (waker = r));
    if (waker) this.wakers.add(waker);
    await Promise.race([woken, sleep(ms, undefined, { signal: ac.signal }).catch(() => {})]);
    if (waker) this.wakers.delete(waker);
    ac.abort();
  }

  /** The next run to pull from: round-robin, skipping runs that were empty unless they have work again. */
  private async pickRun(): Promise<RunState | undefined> {
    const all = [...this.runs.values()];
    if (all.length <= 1) return all[0];
    for (let i = 0; i < all.length; i++) {
      const run = all[(this.rr + i) % all.length];
      if (!run.idle) {
        this.rr = (this.rr + i + 1) % all.length;
        return run;
      }
    }
    for (const run of all) {
      const c = await this.consumerOf(run).catch(() => undefined);
      const info = await c?.info(false).catch(() => undefined);
      if (info && (info.num_pending > 0 || info.num_ack_pending > 0)) return run;
    }
    return undefined;
  }

  private async consumerOf(run: RunState): Promise<Consumer> {
    run.consumer ??= await this.js.consumers.get(run.entry.stream, run.entry.consumer);
    return run.consumer;
  }

  private async resultsOf(run: RunState): Promise<KV> {
    run.results ??= await this.kvm.open(run.entry.resultsBucket);
    return run.results;
  }

  private async slotLoop(): Promise<void> {
    while (!this.stopping) {
      const run = await this.pickRun();
      if (!run) {
        await this.waitForRuns(1000);
        continue;
      }
      let msg: JsMsg | null;
      try {
        const consumer = await this.consumerOf(run);
        msg = await consumer.next({ expires: 1000 });
      } catch (err) {
        // The run finished (stream deleted) or the server is away: forget the consumer, try again later.
        this.log.debug({ err, run: run.entry.runId }, 'cannot pull');
        run.consumer = undefined;
        run.idle = true;
        await this.waitForRuns(500);
        continue;
      }
      if (!msg) {
        run.idle = true;
        continue;
      }
      run.idle = false;
      await this.handle(run, msg).catch((err: unknown) => {
        // Could not store or ack: leave the job to be redelivered (after ack wait at worst).
        this.log.warn({ error: (err as Error).message, run: run.entry.runId }, 'job handling failed; it will be redelivered');
        msg.nak(Math.round(run.entry.retry_delay_s * 1000));
      });
    }
  }

  private async store(results: KV, key: string, rec: ResultRecord): Promise<void> {
    try {
      await results.create(key, toWireJson(rec));
    } catch (err) {
      // Already stored (a redelivered job whose first worker stored but did not ack): keep the first.
      const existing = await results.get(key);
      if (existing?.operation === 'PUT') return;
      throw err;
    }
  }

  private async handle(run: RunState, msg: JsMsg): Promise<void> {
    const { entry } = run;
    const key = msg.subject.slice(entry.subjectPrefix.length + 1);
    const attempt = msg.info.deliveryCount;
    const results = await this.resultsOf(run);
    let job: Job;
    try {
      job = fromWireJson(msg.string()) as Job;
      if (typeof job.id !== 'string' || typeof job.kind !== 'string') throw new Error('expected {id, kind, payload}');
    } catch (err) {
      await this.store(results, key, { id: key, ok: false, error: `Cannot run job ${key}: invalid job descriptor (${(err as Error).message})`, seconds: 0, worker: this.id, attempt });
      msg.term();
      this.stats.failed++;
      return;
    }
    // Only a redelivered job can have a result already (its worker died between storing and
    // acking); first deliveries skip the lookup, and `create` still refuses a second record.
    const existing = attempt > 1 ? await results.get(key) : null;
    if (existing?.operation === 'PUT') {
      // Done by a worker that died between storing and acking: never run a job twice.
      await msg.ackAck();
      this.stats.skipped++;
      return;
    }
    const t0 = performance.now();
    const beat = setInterval(() => msg.working(), Math.max(100, (entry.ack_wait_s * 1000) / 3));
    let r: TaskResult;
    try {
      r = await this.pool.exec(job, { onHeartbeat: () => msg.working() });
    } finally {
      clearInterval(beat);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (r.ok) {
      await this.store(results, key, { id: job.id, ok: true, value: r.value, seconds, worker: this.id, attempt });
      await msg.ackAck();
      this.stats.completed++;
      return;
    }
    const permanent = isPermanentJobError(r.error);
    if (permanent || attempt >= entry.max_deliver) {
      const why = permanent ? `${r.error.message} (invalid input: not retried)` : `failed on all ${attempt} deliveries (max_deliver ${entry.max_deliver}); last error: ${r.error.message}`;
      await this.store(results, key, { id: job.id, ok: false, error: `Cannot run job ${job.id} (${job.kind}): ${why}`, seconds, worker: this.id, attempt });
      msg.term();
      this.stats.failed++;
    } else {
      this.log.debug({ job: job.id, attempt, error: r.error.message }, 'job failed; retrying later');
      msg.nak(Math.round(entry.retry_delay_s * 1000));
      this.stats.retried++;
    }
  }
}

import type { Executor, Job, JobOutcome, RunOptions } from './executor.js';
import { ThreadPool, type ThreadPoolOptions } from './thread-pool.js';
import { AsyncQueue } from './_async-queue.js';
import { setMaxListeners } from 'node:events';

/**
 * The default executor: a pool of worker threads on this machine (`distributed: { mode: local,
 * workers: N }`). Handlers run off the main thread, so progress bars and signals stay live while
 * jobs burn CPU. Outcomes stream back in completion order.
 */
export class WorkerPoolExecutor implements Executor {
  readonly name = 'local';
  private readonly pool: ThreadPool;

  constructor(opts: ThreadPoolOptions = {}) {
    this.pool = new ThreadPool(opts);
  }

  get workers(): number {
    return this.pool.size;
  }

  async *run<P, R>(jobs: Job<P>[], opts: RunOptions = {}): AsyncIterable<JobOutcome<R>> {
    const { signal, onProgress } = opts;
    signal?.throwIfAborted();
    const queue = new AsyncQueue<JobOutcome<R>>();
    // One controller for the batch: leaving the loop early (break, throw) cancels what is still queued.
    const batch = new AbortController();
    // Every queued job listens on the batch signal: that many listeners is expected, not a leak.
    setMaxListeners(jobs.length + 10, batch.signal);
    const onAbort = () => batch.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const job of jobs) {
      const t0 = performance.now();
      this.pool.exec(job as Job, { signal: batch.signal }).then(
        (r) => {
          const seconds = (performance.now() - t0) / 1000;
          queue.push(r.ok ? { id: job.id, ok: true, value: r.value as R, seconds } : { id: job.id, ok: false, error: r.error.message, seconds });
        },
        (err: unknown) => queue.fail(err),
      );
    }
    try {
      for (let done = 0; done < jobs.length; ) {
        const outcome = await queue.shift();
        done++;
        onProgress?.(done, jobs.length);
        yield outcome;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!batch.signal.aborted) batch.abort(new Error('run ended'));
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

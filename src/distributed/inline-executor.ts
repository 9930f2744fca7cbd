import type { Executor, Job, JobOutcome, RunOptions } from './executor.js';
import { getJobHandler } from './job-handlers.js';

/** Runs jobs one after another on the calling thread: the reference executor, and for tests. */
export class InlineExecutor implements Executor {
  readonly name = 'inline';

  async *run<P, R>(jobs: Job<P>[], opts: RunOptions = {}): AsyncIterable<JobOutcome<R>> {
    let done = 0;
    for (const job of jobs) {
      opts.signal?.throwIfAborted();
      const t0 = performance.now();
      try {
        const handler = await getJobHandler(job.kind);
        const value = (await handler(job.payload, { signal: opts.signal, heartbeat: () => {} })) as R;
        yield { id: job.id, ok: true, value, seconds: (performance.now() - t0) / 1000 };
      } catch (err) {
        yield { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err), seconds: (performance.now() - t0) / 1000 };
      }
      opts.onProgress?.(++done, jobs.length);
    }
  }

  async close(): Promise<void> {}
}

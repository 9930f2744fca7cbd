import type { Executor, Job, JobOutcome, RunOptions } from './executor.js';
import { StitchgraphError } from '../errors.js';

export interface RunJobsResult<R> {
  /** Values of the jobs that succeeded, by job id. */
  values: Map<string, R>;
  outcomes: JobOutcome<R>[];
}

/**
 * Run a batch to the end and collect it; if any job failed, throw one `JobFailed` error naming how
 * many failed and the first error (the per-job errors are in `details.failures`). For stages that
 * need every job; a stage that tolerates failures iterates `executor.run` itself.
 */
export async function runJobs<P, R>(executor: Executor, jobs: Job<P>[], opts: RunOptions = {}): Promise<RunJobsResult<R>> {
  const values = new Map<string, R>();
  const outcomes: JobOutcome<R>[] = [];
  for await (const o of executor.run<P, R>(jobs, opts)) {
    outcomes.push(o);
    if (o.ok) values.set(o.id, o.value);
  }
  const failures = outcomes.filter((o): o is Extract<JobOutcome<R>, { ok: false }> => !o.ok);
  if (failures.length > 0) {
    const first = failures[0];
    throw new StitchgraphError('JobFailed', `Cannot finish the run: ${failures.length} of ${jobs.length} jobs failed; first: ${first.error}`, {
      details: { failures: failures.map((f) => ({ id: f.id, error: f.error })) },
    });
  }
  return { values, outcomes };
}

/**
 * The one interface every heavy stage runs its jobs through (tile pairs, fusion blocks, analysis
 * blocks), in-process or on NATS workers. Jobs carry descriptors, never voxel data: a worker reads
 * the store itself.
 */
export interface Job<P = unknown> {
  /** Unique within a batch; stable across reruns (the resume key). */
  id: string;
  /** Handler name in the job registry (`src/distributed/job-handlers.ts`). */
  kind: string;
  /** JSON-serialisable descriptor. */
  payload: P;
}

/** Where and how a job ran, when the executor knows (NATS: worker id and delivery number). */
export interface JobProvenance {
  worker?: string;
  attempts?: number;
}

export type JobOutcome<R = unknown> =
  | ({ id: string; ok: true; value: R; seconds: number } & JobProvenance)
  | ({ id: string; ok: false; error: string; seconds: number } & JobProvenance);

export interface RunOptions {
  signal?: AbortSignal;
  /** Called after every finished job with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * The identity of the whole piece of work this batch belongs to (e.g. every job id of the
   * stage with its resume key), for stages that resume from their own files and so send fewer
   * jobs on each rerun: a restarted NATS coordinator adopts the run of its killed predecessor
   * instead of starting a second one. JSON-serialisable. @default the batch itself
   */
  work?: unknown;
}

export interface Executor {
  readonly name: string;
  /** Run a batch; outcomes stream back as they finish, in any order. Per-job errors are outcomes, not throws. */
  run<P, R>(jobs: Job<P>[], opts?: RunOptions): AsyncIterable<JobOutcome<R>>;
  close(): Promise<void>;
}

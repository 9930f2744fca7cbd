import { createHash } from 'node:crypto';

/** The JetStream names one run uses; every part is a valid stream / bucket / subject token. */
export interface NatsNames {
  /** KV bucket listing the open runs (workers watch it to find work). */
  runsBucket: string;
  /** Work-queue stream holding this run's job descriptors. */
  stream: string;
  /** Subject of one job: `${subjectPrefix}.${jobKey(id)}`. */
  subjectPrefix: string;
  /** Durable pull consumer all workers share. */
  consumer: string;
  /** KV bucket with one result record per job key. */
  resultsBucket: string;
}

export function natsNames(prefix: string, runId: string): NatsNames {
  return {
    runsBucket: `${prefix}_runs`,
    stream: `${prefix}_jobs_${runId}`,
    subjectPrefix: `${prefix}.jobs.${runId}`,
    consumer: 'workers',
    resultsBucket: `${prefix}_results_${runId}`,
  };
}

/**
 * A job id as a subject token and KV key: ids are free text (tile ids, `a~b` pairs), subjects and
 * keys are not. 128 bits of SHA-256: collisions are not a practical concern.
 */
export function jobKey(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

import { createHash } from 'node:crypto';
import type { Job } from './executor.js';

export interface RunIdInput {
  /** The campaign YAML (absolute path): runs of two campaigns never share results. */
  campaignFile?: string;
  /** The stage (`register`, `fuse`...), or any label the caller picks. */
  stage?: string;
  jobs: Job[];
  /**
   * What the whole piece of work is, when the batch is only its unfinished part (a stage that
   * resumes from its own files sends fewer jobs each time): hashed instead of the jobs, so a
   * restarted coordinator adopts its earlier run. @default the batch itself
   */
  work?: unknown;
}

/** JSON with sorted object keys, so that the same payload always hashes the same. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

/**
 * The id of a run: a readable stage label plus a hash of the campaign file, the stage and the job
 * set (ids, kinds, payloads; order does not matter). A coordinator restarted on the same work gets
 * the same id, so it finds the stream and results of its previous life; a changed parameter gives
 * a new id, so stale results are never reused. With `work`, the id names the work, not the batch:
 * a stage rerun with only its missing jobs still finds the run its killed coordinator left.
 */
export function runIdFor(input: RunIdInput): string {
  const h = createHash('sha256');
  h.update(`campaign\0${input.campaignFile ?? ''}\0stage\0${input.stage ?? ''}\0`);
  if (input.work !== undefined) h.update(`work\0${stableJson(input.work)}`);
  else {
    const lines = input.jobs.map((j) => `${j.id}\0${j.kind}\0${stableJson(j.payload)}`).sort();
    for (const l of lines) h.update(`${l}\n`);
  }
  const label = (input.stage ?? input.jobs[0]?.kind ?? 'run').replace(/[^A-Za-z0-9]/g, '').slice(0, 16) || 'run';
  return `${label}-${h.digest('hex').slice(0, 20)}`;
}

import { performance } from 'node:perf_hooks';
import { runCampaign } from '../pipeline/run-campaign.js';
import { isStitchgraphError } from '../errors.js';
import type { Study, StudySample } from './load-study.js';
import { writeSampleTables, type SampleTablesResult } from './write-sample-tables.js';

export interface SampleRunOutcome {
  sample: string;
  campaign: string;
  status: 'ok' | 'failed';
  /** True when every stage of the campaign was already up to date. */
  nothingToDo?: boolean;
  workdir?: string;
  tables?: SampleTablesResult;
  /** Why the sample failed (one line). */
  error?: string;
  seconds: number;
}

export interface RunStudyOptions {
  workers?: number;
  servers?: string;
  fuse?: boolean;
  signal?: AbortSignal;
  /** Called before each sample and after it, with its outcome. */
  onSample?: (sample: StudySample, index: number, total: number, outcome?: SampleRunOutcome) => void;
}

export interface RunStudyResult {
  outcomes: SampleRunOutcome[];
  failed: SampleRunOutcome[];
}

async function runSample(sample: StudySample, opts: RunStudyOptions): Promise<SampleRunOutcome> {
  const t0 = performance.now();
  try {
    const run = await runCampaign(sample.campaign, { workers: opts.workers, servers: opts.servers, fuse: opts.fuse, signal: opts.signal });
    const tables = await writeSampleTables(sample.id, run.workdir);
    return { sample: sample.id, campaign: sample.campaign, status: 'ok', nothingToDo: run.nothingToDo, workdir: run.workdir, tables, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    // An interruption stops the study; any other failure is this sample's alone.
    if (opts.signal?.aborted) throw err;
    const message = isStitchgraphError(err) || err instanceof Error ? err.message : String(err);
    return { sample: sample.id, campaign: sample.campaign, status: 'failed', error: message.split('\n')[0], seconds: (performance.now() - t0) / 1000 };
  }
}

/**
 * `stitchgraph study run`: every sample's campaign through the `run` pipeline (complete stages are
 * skipped by its own up-to-date checks), then its Parquet tables. A failing sample is recorded
 * and the others still run; the caller decides what a failure means (the CLI exits non-zero).
 */
export async function runStudy(study: Study, opts: RunStudyOptions = {}): Promise<RunStudyResult> {
  const outcomes: SampleRunOutcome[] = [];
  for (const [i, sample] of study.samples.entries()) {
    opts.signal?.throwIfAborted();
    opts.onSample?.(sample, i, study.samples.length);
    const outcome = await runSample(sample, opts);
    outcomes.push(outcome);
    opts.onSample?.(sample, i, study.samples.length, outcome);
  }
  return { outcomes, failed: outcomes.filter((o) => o.status === 'failed') };
}

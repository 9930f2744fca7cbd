import { performance } from 'node:perf_hooks';
import type { Campaign } from '../campaign/open-campaign.js';
import { getLogger } from '../log.js';
import { hashValue } from './fingerprint.js';
import { isStageCurrent, readManifest, recordOutputs, writeManifest } from './stage-manifest.js';

/** One progress counter a stage reports to (the CLI draws it as a bar; a library caller may ignore it). */
export interface StageProgress {
  update(done: number, total?: number): void;
  stop(): void;
}

export interface StageContext {
  campaign: Campaign;
  signal?: AbortSignal;
  /** Start a progress counter named `label` (library code never draws on the terminal). @default none */
  progress?: (label: string, total: number) => StageProgress;
  /** A report meant for the person running the stage (the optimisation quality report). @default logged at info */
  say?: (text: string) => void;
  /** Command-line overrides of the executor (`--workers`, `--servers`). */
  workers?: number;
  servers?: string;
}

/** One stage of `run`: what it depends on, what it leaves, how to run it. */
export interface StageDef {
  name: string;
  /** Stages that are switched off (e.g. fusion unless enabled) are skipped and say so. */
  enabled(ctx: StageContext): boolean;
  /** Everything the stage's result depends on (parameters, tiles, upstream output hashes). */
  inputs(ctx: StageContext): Promise<unknown>;
  /** Output files (relative to workdir) whose bytes prove the stage finished; folders carry a marker file. */
  outputs: string[];
  run(ctx: StageContext): Promise<void>;
  /**
   * Optional check that what the stage wrote elsewhere (outside the recorded outputs, e.g. a store
   * outside the workdir) is still there; false reruns the stage even when inputs and outputs match.
   */
  complete?(ctx: StageContext): Promise<boolean>;
}

export interface StageOutcome {
  status: 'ran' | 'up to date' | 'disabled';
  seconds: number;
}

/**
 * Runs stages in order, skipping each whose inputs and outputs are unchanged since it last
 * finished. A stage whose inputs changed reruns, and so does every stage after it (a stage's
 * inputs also include the hashes of the upstream outputs, so hand-edited outputs are noticed too). The manifest is
 * written after every stage, so an interruption loses at most the stage in flight — and the
 * stages themselves resume their own partial work (pairs, fused blocks).
 */
export async function runStages(stages: StageDef[], ctx: StageContext, onStage?: (name: string, index: number, total: number) => void): Promise<Record<string, StageOutcome>> {
  const log = getLogger();
  const workdir = ctx.campaign.workdir;
  const manifest = await readManifest(workdir);
  const outcomes: Record<string, StageOutcome> = {};
  let upstreamRan = false;
  for (let i = 0; i < stages.length; i++) {
    const st = stages[i];
    ctx.signal?.throwIfAborted();
    onStage?.(st.name, i, stages.length);
    if (!st.enabled(ctx)) {
      outcomes[st.name] = { status: 'disabled', seconds: 0 };
      log.info({ stage: st.name }, `${st.name}: switched off in the campaign`);
      continue;
    }
    const inputs = hashValue(await st.inputs(ctx));
    // Once a stage has run, every stage after it runs too: its inputs hash the upstream outputs,
    // but a rerun that happens to give the same bytes should not leave the user guessing.
    if (!upstreamRan && (await isStageCurrent(manifest.stages[st.name], inputs, workdir)) && (await (st.complete?.(ctx) ?? true))) {
      outcomes[st.name] = { status: 'up to date', seconds: 0 };
      log.info({ stage: st.name }, `${st.name}: up to date, skipped`);
      continue;
    }
    const t0 = performance.now();
    log.info({ stage: st.name }, `${st.name}: running`);
    await st.run(ctx);
    const seconds = (performance.now() - t0) / 1000;
    // Inputs as they stand after the run: a stage whose inputs include what it builds (the pyramid
    // store's groups) would otherwise never be up to date. For the others nothing changed.
    const after = hashValue(await st.inputs(ctx));
    manifest.stages[st.name] = { inputs: after, outputs: await recordOutputs(workdir, st.outputs), finished_at: new Date().toISOString(), seconds };
    await writeManifest(workdir, manifest);
    outcomes[st.name] = { status: 'ran', seconds };
    upstreamRan = true;
    log.info({ stage: st.name, seconds: Number(seconds.toFixed(2)) }, `${st.name}: done`);
  }
  return outcomes;
}

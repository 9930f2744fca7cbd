/**
 * `stitchgraph register`: every overlapping pair of a campaign as an independent `register-pair`
 * job on the campaign's executor, results in `workdir/pairs.json`.
 *
 * Never losing work: pairs.json is rewritten atomically every `flushSeconds` while jobs finish, and
 * a rerun skips every pair whose resume key (tile arrays, positions, shapes, boxes, parameters) is
 * already in it. The file is deterministic: pairs in campaign order, timing only in `seconds`.
 *
 * Then it says what went wrong: pairs whose best match lies just past their search margin are
 * searched again with a wider one (widened-overlaps.ts); every rejected pair carries a `hint` (the
 * option that would change the outcome); the accepted pairs are checked against the nominal layout
 * and around loops (layout-consistency.ts); a permutation threshold that found no usable sample
 * says so. These land in pairs.json (`hint`, `warnings`) and the log.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openCampaign, type Campaign } from '../campaign/open-campaign.js';
import { pairExecutor } from './_pair-executor.js';
import type { Executor, Job } from '../distributed/executor.js';
import { readPairsFile, writePairsFile, type PairRecord, type PairsFile } from '../formats/pairs.js';
import type { Vec3 } from '../geometry/box.js';
import { getLogger } from '../log.js';
import { jsonLinesJournal } from '../files/json-lines-journal.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { PairJobPayloadSchema } from './register-pair-payload.js';
import './register-pair-job-kind.js';
import { findOverlaps, type OverlapPair } from './find-overlaps.js';
import { selectPairs } from './select-pairs.js';
import { nullSamplePairs } from './null-sample-pairs.js';
import { layoutConsistency } from './layout-consistency.js';
import { rejectionHint } from './rejection-hint.js';
import { wantsWiderSearch, widenedOverlaps } from './widened-overlaps.js';
import { pairKey } from './pair-key.js';
import { pairLevelPlan } from './pair-level-plan.js';
import { permutationThreshold } from './permutation-threshold.js';
import type { PairJobPayload, PairParams } from './register-pair.js';

export interface RegisterCampaignOptions {
  /** `--workers N`: local pool size (overrides the campaign). */
  workers?: number;
  /** `--servers URL`: NATS mode (overrides the campaign). */
  servers?: string;
  /** Recompute every pair even when pairs.json has it. @default false */
  force?: boolean;
  /** Run on this executor instead of the campaign's (tests, embedding); not closed here. */
  executor?: Executor;
  /** Rewrite pairs.json at most this often while jobs finish. @default 10 */
  flushSeconds?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RegisterCampaignResult {
  /** Path of pairs.json. */
  file: string;
  /** Every file written (the same shape for every stage). */
  files: string[];
  pairs: PairsFile;
  /** Jobs run in this call (pairs and permutation samples). */
  computed: number;
  /** Pairs taken from an existing pairs.json. */
  reused: number;
  /** Jobs that failed (recorded as rejected without a key, so a rerun retries them). */
  failed: number;
  /** Layout and threshold warnings (also in pairs.json `warnings` and the log). */
  warnings: string[];
}

export const REGISTER_PAIR_KIND = 'register-pair';
const CAMPAIGN_THRESHOLD = 'campaign_threshold';

function pairParams(c: Campaign): PairParams {
  const s = c.config.registration;
  return {
    downsample: [...s.downsample],
    peaks: s.peaks,
    apodization: s.apodization,
    peak_smoothing: s.peak_smoothing,
    min_correlation: s.min_correlation,
    min_isotropy: s.min_isotropy,
    subvoxel: s.subvoxel,
    coarse_voxels: s.coarse_voxels,
    windows: s.windows,
    window_size: s.window_size,
    memory_mb: s.memory_mb,
  };
}

function payloadFor(c: Campaign, p: OverlapPair, params: PairParams, sample?: { b: string; boxB: OverlapPair['boxB'] }): PairJobPayload {
  const A = c.tileById.get(p.a)!, B = c.tileById.get(sample?.b ?? p.b)!;
  const boxB = sample?.boxB ?? p.boxB;
  // A null sample keeps the pair's expected translation between the two boxes (t = shift − oA + oB).
  const nominalShift = [0, 1, 2].map((ax) => p.nominalShift[ax] - (boxB.start[ax] - p.boxB.start[ax])) as Vec3;
  const base = {
    campaign: c.file,
    a: p.a,
    b: B.id,
    boxA: p.boxA,
    boxB,
    nominalShift,
    margin: p.margin,
    minOverlap: p.minOverlap,
    params,
    ...(sample ? { sample: 'null' as const } : {}),
  };
  const key = pairKey({
    ...base,
    campaign: undefined,
    tiles: [A, B].map((t) => ({ array: t.array, nominal: t.nominal, shape: t.shape, dtype: t.dtype, fov: t.fieldOfView, fill: t.fillValue ?? null })),
  });
  // The same schema the worker checks: a bad descriptor fails here, before any job is sent.
  return parseJobPayload(REGISTER_PAIR_KIND, PairJobPayloadSchema, { ...base, key });
}

/** Undo the campaign-threshold rejection of a stored record (the threshold is re-derived every run). */
function rawRecord(r: PairRecord): PairRecord {
  const { hint: _hint, ...plain } = r;
  if (plain.rejected_by !== CAMPAIGN_THRESHOLD) return plain;
  const { reason: _reason, rejected_by: _by, measured_shift, ...rest } = plain;
  return { ...rest, status: 'ok', shift: (measured_shift as Vec3) ?? plain.shift };
}

type PairJob = Job<PairJobPayload>;

interface Plan {
  pairJobs: PairJob[];
  nullJobs: PairJob[];
  /** Pair job id → the same pair with a widened margin. */
  wideJobs: Map<string, PairJob>;
}

function planJobs(campaign: Campaign): Plan {
  const s = campaign.config.registration;
  const params = pairParams(campaign);
  const overlaps = selectPairs(findOverlaps(campaign.tiles, s), s.min_overlap_share);
  // A pair that fits the memory budget at no level is an error before any work.
  for (const p of overlaps) pairLevelPlan({ ...p, params }, campaign.tileById.get(p.a)!, campaign.tileById.get(p.b)!);
  const pairJobs: PairJob[] = overlaps.map((p) => ({ id: `pair:${p.a}:${p.b}`, kind: REGISTER_PAIR_KIND, payload: payloadFor(campaign, p, params) }));
  const nullJobs: PairJob[] = [];
  if (s.threshold === 'permutation') {
    for (const n of nullSamplePairs(campaign.tiles, overlaps, s.permutation_samples)) {
      nullJobs.push({ id: `null:${n.pair.a}:${n.b}:${n.pair.b}`, kind: REGISTER_PAIR_KIND, payload: payloadFor(campaign, n.pair, params, n) });
    }
  }
  const wideJobs = new Map<string, PairJob>();
  for (const w of widenedOverlaps(campaign.tiles, s, overlaps)) {
    // A wider search that would not fit the memory budget is not offered (the first one stands).
    try {
      pairLevelPlan({ ...w, params }, campaign.tileById.get(w.a)!, campaign.tileById.get(w.b)!);
    } catch {
      continue;
    }
    wideJobs.set(`pair:${w.a}:${w.b}`, { id: `wide:${w.a}:${w.b}`, kind: REGISTER_PAIR_KIND, payload: payloadFor(campaign, w, params) });
  }
  return { pairJobs, nullJobs, wideJobs };
}

async function readKnown(file: string, force: boolean | undefined): Promise<Map<string, PairRecord>> {
  const known = new Map<string, PairRecord>();
  if (force || !existsSync(file)) return known;
  try {
    const old = await readPairsFile(file);
    for (const r of [...old.pairs, ...((old.null_samples as PairRecord[] | undefined) ?? [])]) if (typeof r.key === 'string') known.set(r.key, rawRecord(r));
  } catch (err) {
    getLogger().warn({ file, err: (err as Error).message }, 'cannot reuse the existing pairs.json; recomputing every pair');
  }
  return known;
}

/** The permutation threshold and, when it could not be learned, why. */
function campaignThreshold(s: Campaign['config']['registration'], nulls: PairRecord[], tried: number): { threshold: number; warnings: string[] } {
  if (s.threshold !== 'permutation') return { threshold: s.min_correlation, warnings: [] };
  // A null sample counts when its search found a best match: inside the margin, or the better one
  // past it (unrelated regions often peak there; counting it errs towards a stricter threshold).
  const usable = nulls.filter((r) => r.status === 'ok' || /^correlation|^no distinct|^shift beyond/.test(r.reason ?? ''));
  const threshold = permutationThreshold(usable.map((r) => r.correlation), s.permutation_quantile, s.min_correlation);
  const warnings: string[] = [];
  if (tried === 0) warnings.push(`threshold: permutation found no region for a null sample (every tile overlaps every other, or tiles are too small); min_correlation ${s.min_correlation} is used`);
  else if (usable.length === 0) {
    const reasons = [...new Set(nulls.map((r) => r.reason ?? r.status))].join('; ');
    warnings.push(`threshold: permutation got no usable null sample out of ${tried} (${reasons || 'none finished'}); min_correlation ${s.min_correlation} is used`);
  } else if (usable.length < 3) warnings.push(`threshold: permutation has only ${usable.length} null sample(s): the threshold ${threshold.toFixed(3)} is rough (raise registration.permutation_samples)`);
  return { threshold, warnings };
}

function applyThreshold(r: PairRecord, job: PairJob, threshold: number): PairRecord {
  if (r.status !== 'ok' || r.correlation >= threshold) return r;
  return {
    ...r,
    status: 'rejected',
    reason: `correlation ${r.correlation.toFixed(3)} below the campaign threshold ${threshold.toFixed(3)} (permutation test)`,
    rejected_by: CAMPAIGN_THRESHOLD,
    measured_shift: r.shift,
    shift: [...job.payload.nominalShift],
  };
}

/** pairs.json from what is known so far: threshold, widened searches, hints, layout warnings. */
function buildPairsFile(campaign: Campaign, plan: Plan, results: Map<string, PairRecord>, finals: Map<string, PairRecord>): PairsFile {
  const s = campaign.config.registration;
  const nulls = plan.nullJobs.map((j) => results.get(j.id)).filter((r): r is PairRecord => !!r && typeof r.key === 'string');
  const { threshold, warnings } = campaignThreshold(s, nulls, plan.nullJobs.length);
  const pairs: PairRecord[] = [];
  for (const j of plan.pairJobs) {
    const final = finals.get(j.id);
    const r = final ?? results.get(j.id);
    if (!r) continue;
    const t = applyThreshold(r, j, threshold);
    if (t.status === 'ok') pairs.push(t);
    else {
      const margin = final ? plan.wideJobs.get(j.id)!.payload.margin : j.payload.margin;
      const hint = rejectionHint(t, { margin, widened: !!final });
      pairs.push(hint ? { ...t, hint } : t);
    }
  }
  const complete = pairs.length === plan.pairJobs.length;
  if (complete) warnings.push(...layoutConsistency(pairs).warnings);
  return {
    pairs,
    min_correlation: threshold,
    threshold: s.threshold,
    ...(s.threshold === 'permutation' ? { null_samples: nulls } : {}),
    ...(warnings.length ? { warnings } : {}),
    complete,
  };
}

/** Stage entry point: an opened campaign (or its YAML path) in, the files written out. */
export async function registerCampaign(input: Campaign | string, opts: RegisterCampaignOptions = {}): Promise<RegisterCampaignResult> {
  const log = getLogger();
  const campaign = typeof input === 'string' ? await openCampaign(input) : input;
  const plan = planJobs(campaign);
  const file = join(campaign.workdir, 'pairs.json');
  const known = await readKnown(file, opts.force);
  // Pairs finished since the last rewrite of pairs.json (a kill loses only the jobs in flight).
  const journal = join(campaign.workdir, '.pairs.journal.jsonl');
  if (opts.force) await jsonLinesJournal.remove(journal);
  for (const r of await jsonLinesJournal.read<PairRecord>(journal)) if (typeof r.key === 'string') known.set(r.key, r);
  const results = new Map<string, PairRecord>();
  /** Pair job id → its widened search, which replaces the first one in pairs.json. */
  const finals = new Map<string, PairRecord>();
  const todo: PairJob[] = [];
  // Null samples first, so a partial pairs.json already has its threshold.
  for (const j of [...plan.nullJobs, ...plan.pairJobs]) {
    const wide = plan.wideJobs.get(j.id);
    const w = wide && known.get(wide.payload.key);
    const r = known.get(j.payload.key);
    if (w && w.first_key === j.payload.key && w.a === j.payload.a && w.b === j.payload.b) finals.set(j.id, w);
    else if (r && r.a === j.payload.a && r.b === j.payload.b) results.set(j.id, r);
    else todo.push(j);
  }
  const reused = results.size + finals.size;
  const build = () => buildPairsFile(campaign, plan, results, finals);
  const runner = new BatchRunner(campaign, file, build, opts);
  try {
    // The run's identity is the whole plan, not this batch: a restarted NATS coordinator adopts its run.
    await runner.run(todo, (job, r) => results.set(job.id, r), [...plan.nullJobs, ...plan.pairJobs].map((j) => [j.id, j.payload.key]));
    // The second look: pairs whose match lies just past the margin, searched again wider.
    const retry = plan.pairJobs.filter((j) => !finals.has(j.id) && plan.wideJobs.has(j.id) && wantsWiderSearch(results.get(j.id))).map((j) => ({ job: plan.wideJobs.get(j.id)!, first: j }));
    const firstOf = new Map(retry.map((x) => [x.job.id, x.first]));
    await runner.run(
      retry.map((x) => x.job),
      (job, r) => {
        const first = firstOf.get(job.id)!;
        finals.set(first.id, { ...r, first_key: first.payload.key, search_margin: [...job.payload.margin] });
      },
    );
  } finally {
    await runner.close();
  }
  const pairs = build();
  const warnings = (pairs.warnings as string[] | undefined) ?? [];
  for (const w of warnings) log.warn({ file }, w);
  for (const p of pairs.pairs.filter((q) => q.status !== 'ok')) log.info({ a: p.a, b: p.b, correlation: p.correlation, hint: p.hint }, `pair rejected: ${p.reason}`);
  log.info({ file, pairs: pairs.pairs.length, ok: pairs.pairs.filter((p) => p.status === 'ok').length, widened: finals.size, computed: runner.computed, reused, failed: runner.failed, min_correlation: pairs.min_correlation }, 'registration written');
  return { file, files: [file], pairs, computed: runner.computed, reused, failed: runner.failed, warnings };
}

/** Runs batches of pair jobs on one executor (created on first need), flushing pairs.json as they finish. */
class BatchRunner {
  computed = 0;
  failed = 0;
  private executor: Executor | undefined;
  private lastFlush = Date.now();
  private readonly journal: string;

  constructor(
    private readonly campaign: Campaign,
    private readonly file: string,
    private readonly build: () => PairsFile,
    private readonly opts: RegisterCampaignOptions,
  ) {
    this.journal = join(campaign.workdir, '.pairs.journal.jsonl');
  }

  async run(jobs: PairJob[], onResult: (job: PairJob, r: PairRecord) => void, work?: unknown): Promise<void> {
    if (jobs.length === 0) return;
    const o = this.opts;
    this.executor ??= o.executor ?? (await pairExecutor(this.campaign, o));
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const flushMs = (o.flushSeconds ?? 10) * 1000;
    try {
      o.onProgress?.(0, jobs.length);
      for await (const out of this.executor.run<PairJobPayload, PairRecord>(jobs, { signal: o.signal, onProgress: o.onProgress, work })) {
        const job = byId.get(out.id);
        if (!job) continue;
        this.computed++;
        if (out.ok) {
          const rec = { ...out.value, seconds: Math.round(out.seconds * 1000) / 1000 };
          onResult(job, rec);
          await jsonLinesJournal.append(this.journal, rec);
        } else {
          this.failed++;
          getLogger().warn({ job: out.id, error: out.error }, 'pair job failed');
          // No key: a rerun retries it.
          onResult(job, { a: job.payload.a, b: job.payload.b, shift: [...job.payload.nominalShift], correlation: 0, status: 'rejected', reason: `job failed: ${out.error}`, nominal_shift: [...job.payload.nominalShift] });
        }
        if (Date.now() - this.lastFlush >= flushMs) {
          await writePairsFile(this.file, this.build());
          this.lastFlush = Date.now();
        }
      }
    } finally {
      // Whatever finished is kept, also when the run is aborted or crashes.
      await writePairsFile(this.file, this.build());
      await jsonLinesJournal.remove(this.journal);
    }
  }

  async close(): Promise<void> {
    if (this.executor && !this.opts.executor) await this.executor.close();
    if (!this.executor) await writePairsFile(this.file, this.build());
  }
}

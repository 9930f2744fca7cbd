/**
 * `stitchgraph register`: every overlapping pair of a campaign as an independent `register-pair`
 * job on the campaign's executor, results in `workdir/pairs.json`.
 *
 * Never losing work: pairs.json is rewritten atomically every `flushSeconds` while jobs finish, and
 * a rerun skips every pair whose resume key (tile arrays, positions, shapes, boxes, parameters) is
 * already in it. The file is deterministic: pairs in campaign order, timing only in `seconds`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openCampaign, type Campaign } from '../campaign/open-campaign.js';
import { createExecutor } from '../distributed/create-executor.js';
import type { Executor, Job } from '../distributed/executor.js';
import { readPairsFile, writePairsFile, type PairRecord, type PairsFile } from '../formats/pairs.js';
import type { Vec3 } from '../geometry/box.js';
import { getLogger } from '../log.js';
import { jsonLinesJournal } from '../files/json-lines-journal.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { PairJobPayloadSchema } from './register-pair-payload.js';
import { findOverlaps, type OverlapPair } from './find-overlaps.js';
import { nullSampleBox } from './null-sample-box.js';
import { pairKey } from './pair-key.js';
import { pairLevelPlan } from './pair-level-plan.js';
import { permutationThreshold } from './permutation-threshold.js';
import type { PairJobPayload, PairParams } from './register-pair.js';
import './register-pair-job-kind.js';

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

function payloadFor(c: Campaign, p: OverlapPair, params: PairParams, sample?: { boxB: OverlapPair['boxB'] }): PairJobPayload {
  const A = c.tileById.get(p.a)!, B = c.tileById.get(p.b)!;
  const boxB = sample?.boxB ?? p.boxB;
  // A null sample keeps the pair's expected translation between the two boxes (t = shift − oA + oB).
  const nominalShift = [0, 1, 2].map((ax) => p.nominalShift[ax] - (boxB.start[ax] - p.boxB.start[ax])) as Vec3;
  const base = {
    campaign: c.file,
    a: p.a,
    b: p.b,
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
  if (r.rejected_by !== CAMPAIGN_THRESHOLD) return r;
  const { reason: _reason, rejected_by: _by, measured_shift, ...rest } = r;
  return { ...rest, status: 'ok', shift: (measured_shift as Vec3) ?? r.shift };
}

/** Stage entry point: an opened campaign (or its YAML path) in, the files written out. */
export async function registerCampaign(input: Campaign | string, opts: RegisterCampaignOptions = {}): Promise<RegisterCampaignResult> {
  const log = getLogger();
  const campaign = typeof input === 'string' ? await openCampaign(input) : input;
  const s = campaign.config.registration;
  const params = pairParams(campaign);
  const overlaps = findOverlaps(campaign.tiles, s);
  // A pair that fits the memory budget at no level is an error before any work.
  for (const p of overlaps) pairLevelPlan({ ...p, params }, campaign.tileById.get(p.a)!, campaign.tileById.get(p.b)!);
  const pairJobs: Job<PairJobPayload>[] = overlaps.map((p) => ({ id: `pair:${p.a}:${p.b}`, kind: REGISTER_PAIR_KIND, payload: payloadFor(campaign, p, params) }));
  const nullJobs: Job<PairJobPayload>[] = [];
  if (s.threshold === 'permutation' && overlaps.length > 0) {
    const k = Math.min(s.permutation_samples, overlaps.length);
    for (let i = 0; i < k; i++) {
      // Spread evenly over the campaign, deterministically.
      const p = overlaps[Math.floor((i * overlaps.length) / k)];
      const box = nullSampleBox(p.boxB, campaign.tileById.get(p.b)!.shape);
      if (box) nullJobs.push({ id: `null:${p.a}:${p.b}`, kind: REGISTER_PAIR_KIND, payload: payloadFor(campaign, p, params, { boxB: box }) });
    }
  }
  const file = join(campaign.workdir, 'pairs.json');
  const known = new Map<string, PairRecord>();
  if (!opts.force && existsSync(file)) {
    try {
      const old = await readPairsFile(file);
      for (const r of [...old.pairs, ...((old.null_samples as PairRecord[] | undefined) ?? [])]) if (typeof r.key === 'string') known.set(r.key, rawRecord(r));
    } catch (err) {
      log.warn({ file, err: (err as Error).message }, 'cannot reuse the existing pairs.json; recomputing every pair');
    }
  }
  // Pairs finished since the last rewrite of pairs.json (a kill loses only the jobs in flight).
  const journal = join(campaign.workdir, '.pairs.journal.jsonl');
  if (opts.force) await jsonLinesJournal.remove(journal);
  for (const r of await jsonLinesJournal.read<PairRecord>(journal)) if (typeof r.key === 'string') known.set(r.key, r);
  const results = new Map<string, PairRecord>();
  const todo: Job<PairJobPayload>[] = [];
  // Null samples first, so a partial pairs.json already has its threshold.
  for (const j of [...nullJobs, ...pairJobs]) {
    const r = known.get(j.payload.key);
    if (r && r.a === j.payload.a && r.b === j.payload.b) results.set(j.id, r);
    else todo.push(j);
  }
  const reused = results.size;

  const build = (): PairsFile => {
    const nulls = nullJobs.map((j) => results.get(j.id)).filter((r): r is PairRecord => !!r && typeof r.key === 'string');
    // A null sample counts when the search settled inside the margin, as an accepted pair would.
    const settled = nulls.filter((r) => r.status === 'ok' || /^correlation|^no distinct/.test(r.reason ?? ''));
    const threshold = s.threshold === 'permutation' ? permutationThreshold(settled.map((r) => r.correlation), s.permutation_quantile, s.min_correlation) : s.min_correlation;
    const pairs: PairRecord[] = [];
    for (const j of pairJobs) {
      const r = results.get(j.id);
      if (!r) continue;
      if (r.status === 'ok' && r.correlation < threshold) {
        pairs.push({
          ...r,
          status: 'rejected',
          reason: `correlation ${r.correlation.toFixed(3)} below the campaign threshold ${threshold.toFixed(3)} (permutation test)`,
          rejected_by: CAMPAIGN_THRESHOLD,
          measured_shift: r.shift,
          shift: [...j.payload.nominalShift],
        });
      } else pairs.push(r);
    }
    return {
      pairs,
      min_correlation: threshold,
      threshold: s.threshold,
      ...(s.threshold === 'permutation' ? { null_samples: nulls } : {}),
      complete: pairs.length === pairJobs.length,
    };
  };

  let computed = 0;
  let failed = 0;
  let lastFlush = Date.now();
  const flushMs = (opts.flushSeconds ?? 10) * 1000;
  if (todo.length > 0) {
    const executor = opts.executor ?? (await createExecutor(campaign.config.distributed, { workers: opts.workers, servers: opts.servers }, { campaignFile: campaign.file, runId: 'register' }));
    const byId = new Map(todo.map((j) => [j.id, j]));
    try {
      opts.onProgress?.(0, todo.length);
      for await (const out of executor.run<PairJobPayload, PairRecord>(todo, { signal: opts.signal, onProgress: opts.onProgress, work: [...nullJobs, ...pairJobs].map((j) => [j.id, j.payload.key]) })) {
        const job = byId.get(out.id);
        if (!job) continue;
        computed++;
        if (out.ok) {
          const rec = { ...out.value, seconds: Math.round(out.seconds * 1000) / 1000 };
          results.set(out.id, rec);
          await jsonLinesJournal.append(journal, rec);
        } else {
          failed++;
          log.warn({ job: out.id, error: out.error }, 'pair job failed');
          // No key: a rerun retries it.
          results.set(out.id, { a: job.payload.a, b: job.payload.b, shift: [...job.payload.nominalShift], correlation: 0, status: 'rejected', reason: `job failed: ${out.error}`, nominal_shift: [...job.payload.nominalShift] });
        }
        if (Date.now() - lastFlush >= flushMs) {
          await writePairsFile(file, build());
          lastFlush = Date.now();
        }
      }
    } finally {
      if (!opts.executor) await executor.close();
      // Whatever finished is kept, also when the run is aborted or crashes.
      await writePairsFile(file, build());
      await jsonLinesJournal.remove(journal);
    }
  } else await writePairsFile(file, build());
  const pairs = build();
  log.info({ file, pairs: pairs.pairs.length, ok: pairs.pairs.filter((p) => p.status === 'ok').length, computed, reused, failed, min_correlation: pairs.min_correlation }, 'registration written');
  return { file, files: [file], pairs, computed, reused, failed };
}

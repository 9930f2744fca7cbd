/**
 * Structure analysis of a whole volume, block by block through an executor: the hook every
 * volume source plugs into (a Zarr array, the fused OME-Zarr, the stitched view's `getView`).
 *
 * Phases (each a batch of `analyze-block` jobs): intensity range and histogram (only for Otsu and
 * percentile thresholds), then per-block segmentation, labelling, measures and thinning. Per-block
 * tables are merged here as they arrive: labels by a streaming union-find across block faces
 * (streaming-label-merge.ts: only the faces a later block can touch are held), measures exactly,
 * skeleton voxels (typed arrays) into one sparse set from which the skeleton graph is built.
 * When the largest radius measured exceeds the halo, the blocks are analysed again with a halo
 * that covers it (thick vessels otherwise break at block faces).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Box3, Vec3 } from '../geometry/box.js';
import type { Executor, Job } from '../distributed/executor.js';
import { InlineExecutor } from '../distributed/inline-executor.js';
import { StitchgraphError } from '../errors.js';
import { AnalysisSettingsSchema, type AnalysisSettings } from '../campaign/sections/analysis.js';
import { localBlockSource, releaseBlockSource, type BlockReader, type BlockSource, type BlockSourceSpec } from './block-source.js';
import { segmentationHalo, type BlockResult, type SegmentParams } from './analyze-block.js';
import { histogramThreshold } from './histogram-threshold.js';
import { STAT_STRIDE, componentRow, type ComponentRow } from './component-measures.js';
import { BlockCollector } from './_block-collector.js';
import { EULER_SCALE } from './euler-contributions.js';
import { skeletonGraph, type SkeletonGraph } from '../graph/skeleton-graph.js';
import { networkSummary, type NetworkSummary } from './network-summary.js';
import type { Connectivity } from './label-components.js';
import type { AnalyzeBlockPayload } from './analyze-block-job.js';
import './analyze-block-job-kind.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { AnalyzeBlockPayloadSchema } from './analyze-block-payload.js';

export interface AnalyzeVolumeOptions {
  /** Block edge (voxels) per axis; default `settings.block` on every axis. */
  block?: Vec3;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Skip thinning and the network (labelling and measures only). @default false */
  noSkeleton?: boolean;
  /** Value that marks "no data" in the source (left out of Otsu and percentile thresholds). */
  ignoreValue?: number;
  /** Keep every block's result here (JSON per job) and reuse matching ones on a rerun. */
  blockDir?: string;
  /** Position (µm, z y x) of voxel (0, 0, 0) in the image's physical frame: written with every export. @default [0, 0, 0] */
  originUm?: Vec3;
}

export interface VolumeAnalysis {
  shape: Vec3;
  voxelSize: Vec3;
  /** The threshold value the rule gave. */
  threshold: number;
  settings: AnalysisSettings;
  /** Components after the size filter, renumbered 1..n in raster order. */
  components: ComponentRow[];
  /** Components before the size filter. */
  labelledComponents: number;
  graph: SkeletonGraph;
  /** The skeleton voxels kept (components passing the size filter); `component` = components.csv label. */
  skeleton: { indices: Float64Array; radii: Float32Array; component: Int32Array };
  summary: NetworkSummary;
  /** Foreground voxels of the components kept (after the size filter). */
  foregroundVoxels: number;
  /** Position (µm, z y x) of voxel (0, 0, 0). */
  originUm: Vec3;
  /** The halo (voxels) the blocks were finally read with (the setting, or more for thick structures). */
  haloUsed: number;
  /** Things the caller should tell the user (e.g. a halo too small for the radii found). */
  warnings: string[];
  /**
   * Coordinator state: shell voxels of the label merge held at most at once, and in all; skeleton
   * voxels received from the blocks, and held for the graph (those of components a block holds
   * whole and the size filter rejects are dropped on arrival).
   */
  mergeState: { peakRetainedShellVoxels: number; totalShellVoxels: number; skeletonVoxelsSeen: number; skeletonVoxelsHeld: number };
}

/** The blocks tiling a volume, in raster order. */
export function volumeBlocks(shape: Vec3, block: Vec3): Box3[] {
  const out: Box3[] = [];
  for (let z = 0; z < shape[0]; z += block[0])
    for (let y = 0; y < shape[1]; y += block[1])
      for (let x = 0; x < shape[2]; x += block[2])
        out.push({ start: [z, y, x], size: [Math.min(block[0], shape[0] - z), Math.min(block[1], shape[1] - y), Math.min(block[2], shape[2] - x)] });
  return out;
}

/** Job key: everything that determines a block's result (a local source names itself by `id`). */
function jobKey(payload: AnalyzeBlockPayload): string | undefined {
  const { source, ...rest } = payload;
  if (source.kind === 'local' && !source.id) return undefined;
  return createHash('sha256').update(JSON.stringify({ source: source.kind === 'local' ? source.id : source, ...rest })).digest('hex');
}

/**
 * Run a batch of block jobs, handing each result to `take` as it arrives (the caller keeps what
 * it needs, not the results). With `blockDir`, each result is also kept on disk under the job's
 * id with a key of everything that determines it; a rerun takes results whose key matches and
 * runs only the rest, so an interrupted analysis resumes where it stopped.
 */
async function runJobs<R>(executor: Executor, jobs: Job<AnalyzeBlockPayload>[], phase: string, opts: AnalyzeVolumeOptions, take: (value: R, index: number) => void): Promise<void> {
  const indexOf = new Map(jobs.map((j, i) => [j.id, i]));
  const todo: Job<AnalyzeBlockPayload>[] = [];
  for (const job of jobs) {
    const key = opts.blockDir ? jobKey(job.payload) : undefined;
    if (key === undefined) {
      todo.push(job);
      continue;
    }
    const path = join(opts.blockDir!, `${job.id}.json`);
    try {
      const saved = JSON.parse(await readFile(path, 'utf8')) as { key?: string; value: R };
      if (saved.key === key) {
        take(saved.value, indexOf.get(job.id)!);
        continue;
      }
    } catch {
      // absent or unreadable: run the job
    }
    todo.push({ ...job, payload: { ...job.payload, resultPath: path, resultKey: key } });
  }
  const skipped = jobs.length - todo.length;
  for await (const o of executor.run<AnalyzeBlockPayload, R>(todo, { signal: opts.signal, work: { phase, jobs }, onProgress: (d, t) => opts.onProgress?.(phase, d + skipped, t + skipped) })) {
    if (!o.ok) throw new StitchgraphError('JobFailed', `Cannot analyse block ${o.id}: ${o.error}`, { details: { job: o.id } });
    take(o.value, indexOf.get(o.id)!);
  }
}

/** Halo (voxels) that covers a radius (µm) along the finest axis, with a margin for the thinning's reach. */
export function haloForRadius(radiusUm: number, voxelSize: Vec3): number {
  return Math.ceil((1.5 * radiusUm) / Math.min(...voxelSize)) + 2;
}

/**
 * Analyse a volume: `source` is a block source or a reader `(box) => voxels` over a volume of
 * `shape`; `settings` is the campaign's `analysis:` section (defaults filled in by its schema).
 * Without an executor, blocks run inline in this process. A local reader works with in-process
 * executors only; remote workers need a source descriptor they can open (`zarr`).
 */
export async function analyzeVolume(
  source: BlockSource | BlockReader,
  shape: Vec3,
  settingsIn: Partial<AnalysisSettings>,
  voxelSize: Vec3 = [1, 1, 1],
  executor?: Executor,
  opts: AnalyzeVolumeOptions = {},
): Promise<VolumeAnalysis> {
  const settings = AnalysisSettingsSchema.parse(settingsIn);
  if (shape.some((s) => !Number.isInteger(s) || s < 1)) throw new StitchgraphError('InputError', `Cannot analyse: volume shape [${shape}] must be positive integers`);
  const src = typeof source === 'function' ? localBlockSource(shape, source) : source;
  const exec = executor ?? new InlineExecutor();
  try {
    const block: Vec3 = opts.block ?? [settings.block, settings.block, settings.block];
    const boxes = volumeBlocks(shape, block);
    const spec: BlockSourceSpec = src.spec;
    const base = { source: spec, volumeShape: shape, smooth_sigma: settings.smooth_sigma, ...(opts.ignoreValue !== undefined ? { ignore_value: opts.ignoreValue } : {}) };
    const mk = (phase: string, extra: Partial<AnalyzeBlockPayload>, idTag = phase) =>
      boxes.map((core, i): Job<AnalyzeBlockPayload> => ({ id: `analyze-${idTag}-${i}`, kind: 'analyze-block', payload: parseJobPayload('analyze-block', AnalyzeBlockPayloadSchema, { ...base, phase: phase as AnalyzeBlockPayload['phase'], core, ...extra }) as AnalyzeBlockPayload }));
    const threshold = await resolveThreshold(settings, exec, mk, opts);
    const seg: SegmentParams = { threshold, smooth_sigma: settings.smooth_sigma, open_radius: settings.open_radius, close_radius: settings.close_radius, fill_holes: settings.fill_holes };
    const analyzeBlocks = async (halo: number) => {
      const collector = new BlockCollector(shape, block, settings.connectivity as Connectivity, { min: settings.min_size, max: settings.max_size });
      const payload = { tables_version: 2, segment: seg, halo: segmentationHalo(seg) + halo, connectivity: settings.connectivity as Connectivity, voxelSize, noSkeleton: opts.noSkeleton ?? false };
      // A grown halo's results are kept under their own names: a resumed run finds both passes.
      const tag = halo === settings.halo ? 'analyze' : `analyze-halo${halo}`;
      await runJobs<BlockResult>(exec, mk('analyze', payload, tag), 'analyze', opts, (r) => collector.add(r));
      return collector;
    };
    let halo = settings.halo;
    let collected = await analyzeBlocks(halo);
    const warnings: string[] = [];
    // Thinning reaches about a radius into the volume: a thick vessel cut by a block face with a
    // smaller halo thins differently on each side and breaks. Blocks cover the whole volume when
    // there is one block: no halo matters then.
    const single = boxes.length === 1;
    // The halo grows up to half a block (a block job then reads 8× its core); beyond, the user
    // chooses: a larger block, or accepting pieces.
    const cut = block.filter((b, a) => b < shape[a]);
    const maxHalo = Math.max(settings.halo, Math.floor(Math.min(...cut, Infinity) / 2));
    const needed = () => haloForRadius(collected.maxRadius, voxelSize);
    if (!single && needed() > halo && halo < maxHalo) {
      halo = Math.min(needed(), maxHalo);
      collected = await analyzeBlocks(halo);
    }
    if (!single && needed() > halo)
      warnings.push(
        `Thick structures: largest radius ${collected.maxRadius.toFixed(2)} µm needs a halo of ${needed()} voxels, more than the ${halo} used; ` +
          `set analysis.block ≥ ${2 * needed()} (and analysis.halo: ${needed()}) so that they do not break at block faces`,
      );
    return assembleAnalysis(collected, shape, voxelSize, settings, threshold, { originUm: opts.originUm ?? [0, 0, 0], haloUsed: halo, warnings });
  } finally {
    if (typeof source === 'function') releaseBlockSource(src);
  }
}

/** The threshold value: given, or from a histogram of the whole volume (range pass, then counts). */
async function resolveThreshold(
  settings: AnalysisSettings,
  exec: Executor,
  mk: (phase: string, extra: Partial<AnalyzeBlockPayload>) => Job<AnalyzeBlockPayload>[],
  opts: AnalyzeVolumeOptions,
): Promise<number> {
  if (typeof settings.threshold === 'number') return settings.threshold;
  let lo = Infinity, hi = -Infinity;
  await runJobs<{ min: number; max: number }>(exec, mk('range', {}), 'range', opts, (r) => {
    lo = Math.min(lo, r.min);
    hi = Math.max(hi, r.max);
  });
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new StitchgraphError('InputError', 'Cannot threshold: the volume holds no finite value');
  const bins = settings.histogram_bins;
  const counts = new Array<number>(bins).fill(0);
  await runJobs<number[]>(exec, mk('histogram', { lo, hi, bins }), 'histogram', opts, (h) => {
    for (let i = 0; i < bins; i++) counts[i] += h[i];
  });
  return histogramThreshold(settings.threshold, { lo, hi, counts });
}

/** Merge the collected block tables into components, skeleton graph and summary. */
function assembleAnalysis(
  collected: BlockCollector,
  shape: Vec3,
  voxelSize: Vec3,
  settings: AnalysisSettings,
  threshold: number,
  extra: { originUm: Vec3; haloUsed: number; warnings: string[] },
): VolumeAnalysis {
  const merged = collected.labels.finish();
  // Size filter, then renumber the kept components in raster order.
  const keep = new Int32Array(merged.count + 1);
  const components: ComponentRow[] = [];
  let keptVoxels = 0, euler = 0, loops = 0;
  for (let c = 1; c <= merged.count; c++) {
    const n = merged.stats[c * STAT_STRIDE];
    if (n < settings.min_size || (settings.max_size !== undefined && n > settings.max_size)) continue;
    keep[c] = components.length + 1;
    components.push(componentRow(keep[c], merged.stats, c * STAT_STRIDE, voxelSize));
    keptVoxels += n;
    const chi = merged.euler[c] / EULER_SCALE;
    euler += chi;
    // β1 = β0 + β2 − χ: a component without cavities has 1 − χ independent loops; one with
    // cavities (χ ≥ 2 and no tunnel) gives a negative value, counted as none.
    loops += Math.max(0, 1 - chi);
  }
  const skeleton = keptSkeleton(collected, merged.map, keep);
  const graph = skeletonGraph(skeleton, shape, voxelSize, { pruneLengthUm: settings.prune_length_um, pruneRadiusFactor: settings.prune_radius_factor, lengthSmoothing: settings.length_smoothing });
  const summary = networkSummary(graph, {
    shape,
    voxelSize,
    originUm: extra.originUm,
    foregroundVoxels: keptVoxels,
    skeletonRadii: skeleton.radii,
    labelledComponents: components.length,
    eulerNumber: Number.isNaN(euler) ? undefined : euler,
    maskLoops: Number.isNaN(loops) ? undefined : loops,
    beforeSizeFilter: { components: merged.count, foregroundVoxels: collected.foreground },
    parameters: { ...settings, threshold_value: threshold, voxel_size: voxelSize, shape, halo_used: extra.haloUsed },
  });
  return {
    shape, voxelSize, threshold, settings, components, labelledComponents: merged.count, graph, skeleton, summary, foregroundVoxels: keptVoxels,
    originUm: extra.originUm, haloUsed: extra.haloUsed, warnings: extra.warnings,
    mergeState: {
      peakRetainedShellVoxels: collected.labels.peakRetainedShellVoxels,
      totalShellVoxels: collected.labels.totalShellVoxels,
      skeletonVoxelsSeen: collected.skeletonVoxelsSeen,
      skeletonVoxelsHeld: collected.skeletonVoxelsKept,
    },
  };
}

/** Skeleton voxels of the components kept, labelled with their final component number. */
function keptSkeleton(collected: BlockCollector, map: Int32Array[], keep: Int32Array): VolumeAnalysis['skeleton'] {
  let n = 0;
  collected.skeletons.forEach((s, i) => {
    for (let k = 0; k < s.label.length; k++) if (keep[map[i][s.label[k]]] !== 0) n++;
  });
  const out = { indices: new Float64Array(n), radii: new Float32Array(n), component: new Int32Array(n) };
  let o = 0;
  collected.skeletons.forEach((s, i) => {
    for (let k = 0; k < s.label.length; k++) {
      const c = keep[map[i][s.label[k]]];
      if (c === 0) continue;
      out.indices[o] = s.index[k];
      out.radii[o] = s.radius[k];
      out.component[o++] = c;
    }
  });
  return out;
}

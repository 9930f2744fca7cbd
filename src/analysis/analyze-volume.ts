/**
 * Structure analysis of a whole volume, block by block through an executor: the hook every
 * volume source plugs into (a Zarr array, the fused OME-Zarr, the stitched view's `getView`).
 *
 * Phases (each a batch of `analyze-block` jobs): intensity range and histogram (only for Otsu and
 * percentile thresholds), then per-block segmentation, labelling, measures and thinning. Per-block
 * tables are merged here: labels by union-find across block faces, measures exactly, skeleton
 * voxels into one sparse set from which the skeleton graph is built.
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
import { mergeBlockResults } from './merge-blocks.js';
import { STAT_STRIDE, componentRow, type ComponentRow } from './component-measures.js';
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
  /** The skeleton voxels kept (components passing the size filter). */
  skeleton: { indices: number[]; radii: number[]; component: number[] };
  summary: NetworkSummary;
  foregroundVoxels: number;
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

/**
 * Run a batch of block jobs. With `blockDir`, each result is also kept on disk under the job's id
 * with a key of everything that determines it; a rerun takes results whose key matches and runs
 * only the rest, so an interrupted analysis resumes where it stopped.
 */
async function runJobs<R>(executor: Executor, jobs: Job<AnalyzeBlockPayload>[], phase: string, opts: AnalyzeVolumeOptions): Promise<R[]> {
  const out = new Map<string, R>();
  const todo: Job<AnalyzeBlockPayload>[] = [];
  for (const job of jobs) {
    const { source, ...rest } = job.payload;
    // A local source's token changes every run: only its `id` (when given) names the volume.
    if (!opts.blockDir || (source.kind === 'local' && !source.id)) {
      todo.push(job);
      continue;
    }
    const key = createHash('sha256').update(JSON.stringify({ source: source.kind === 'local' ? source.id : source, ...rest })).digest('hex');
    const path = join(opts.blockDir, `${job.id}.json`);
    try {
      const saved = JSON.parse(await readFile(path, 'utf8')) as { key?: string; value: R };
      if (saved.key === key) {
        out.set(job.id, saved.value);
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
    out.set(o.id, o.value);
  }
  return jobs.map((j) => out.get(j.id)!);
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
    const mk = (phase: string, extra: Partial<AnalyzeBlockPayload>) =>
      boxes.map((core, i): Job<AnalyzeBlockPayload> => ({ id: `analyze-${phase}-${i}`, kind: 'analyze-block', payload: parseJobPayload('analyze-block', AnalyzeBlockPayloadSchema, { ...base, phase: phase as AnalyzeBlockPayload['phase'], core, ...extra }) as AnalyzeBlockPayload }));

    let threshold: number;
    if (typeof settings.threshold === 'number') threshold = settings.threshold;
    else {
      const ranges = await runJobs<{ min: number; max: number }>(exec, mk('range', {}), 'range', opts);
      const lo = Math.min(...ranges.map((r) => r.min)), hi = Math.max(...ranges.map((r) => r.max));
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new StitchgraphError('InputError', 'Cannot threshold: the volume holds no finite value');
      const bins = settings.histogram_bins;
      const hists = await runJobs<number[]>(exec, mk('histogram', { lo, hi, bins }), 'histogram', opts);
      const counts = new Array<number>(bins).fill(0);
      for (const h of hists) for (let i = 0; i < bins; i++) counts[i] += h[i];
      threshold = histogramThreshold(settings.threshold, { lo, hi, counts });
    }

    const seg: SegmentParams = { threshold, smooth_sigma: settings.smooth_sigma, open_radius: settings.open_radius, close_radius: settings.close_radius, fill_holes: settings.fill_holes };
    const halo = segmentationHalo(seg) + settings.halo;
    const results = await runJobs<BlockResult>(
      exec,
      mk('analyze', { segment: seg, halo, connectivity: settings.connectivity as Connectivity, voxelSize, noSkeleton: opts.noSkeleton ?? false }),
      'analyze',
      opts,
    );
    return assembleAnalysis(results, shape, voxelSize, settings, threshold);
  } finally {
    if (typeof source === 'function') releaseBlockSource(src);
  }
}

/** Merge per-block results into components, skeleton graph and summary. */
export function assembleAnalysis(results: BlockResult[], shape: Vec3, voxelSize: Vec3, settings: AnalysisSettings, threshold: number): VolumeAnalysis {
  const merged = mergeBlockResults(results, shape, settings.connectivity as Connectivity);
  // Size filter, then renumber the kept components in raster order.
  const keep = new Int32Array(merged.count + 1);
  const components: ComponentRow[] = [];
  for (let c = 1; c <= merged.count; c++) {
    const n = merged.stats[c * STAT_STRIDE];
    if (n < settings.min_size || (settings.max_size !== undefined && n > settings.max_size)) continue;
    keep[c] = components.length + 1;
    components.push(componentRow(keep[c], merged.stats, c * STAT_STRIDE, voxelSize));
  }
  const skeleton = { indices: [] as number[], radii: [] as number[], component: [] as number[] };
  let foreground = 0;
  results.forEach((r, i) => {
    foreground += r.foreground;
    const map = merged.map[i];
    for (let k = 0; k < r.skelIndex.length; k++) {
      const c = keep[map[r.skelLabel[k]]];
      if (c === 0) continue;
      skeleton.indices.push(r.skelIndex[k]);
      skeleton.radii.push(r.skelRadius[k]);
      skeleton.component.push(c);
    }
  });
  const graph = skeletonGraph(skeleton, shape, voxelSize, { pruneLengthUm: settings.prune_length_um, pruneRadiusFactor: settings.prune_radius_factor, lengthSmoothing: settings.length_smoothing });
  const summary = networkSummary(graph, {
    shape,
    voxelSize,
    foregroundVoxels: foreground,
    skeletonRadii: skeleton.radii,
    labelledComponents: components.length,
    parameters: { ...settings, threshold_value: threshold, voxel_size: voxelSize, shape },
  });
  return { shape, voxelSize, threshold, settings, components, labelledComponents: merged.count, graph, skeleton, summary, foregroundVoxels: foreground };
}

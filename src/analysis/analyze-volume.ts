/**
 * Structure analysis of a whole volume, block by block through an executor: the hook every
 * volume source plugs into (a Zarr array, the fused OME-Zarr, the stitched view's `getView`).
 *
 * Phases (each a batch of `analyze-block` jobs): intensity range and histogram (only for Otsu and
 * percentile thresholds), then per-block segmentation, labelling, measures and thinning. Per-block
 * tables are merged here as they arrive: labels by a streaming union-find across block faces
 * (streaming-label-merge.ts: only the faces a later block can touch are held), measures exactly;
 * skeleton voxels wait (spilled beside the block results) for the graph pass, which reads them back
 * block by block and builds the graph component by component as each becomes whole
 * (streaming-graph-merge.ts), the summary accumulated from the pieces.
 * When the largest radius measured exceeds the halo, the blocks are analysed again with a halo
 * that covers it (thick vessels otherwise break at block faces).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
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
import type { SkeletonGraph } from '../graph/skeleton-graph.js';
import type { NetworkSummary } from './network-summary.js';
import type { StreamedLabels } from './streaming-label-merge.js';
import type { GraphPiece } from './streaming-graph-merge.js';
import { runGraphPass } from './_graph-pass.js';
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
  /** Each piece of the skeleton graph (whole components, global ids) as the graph pass finishes it. */
  onGraphPiece?: (piece: GraphPiece) => void;
  /**
   * Gather the pieces into `graph` and `skeleton` of the result. false: those stay empty and the
   * pieces reach only `onGraphPiece` (the coordinator then holds no whole network). @default true
   */
  keepGraph?: boolean;
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
   * whole and the size filter rejects are dropped on arrival, the rest waits for the graph pass, on
   * disk when there is a block directory); skeleton voxels the graph pass held at most at once
   * (those of components not yet whole), and in all.
   */
  mergeState: { peakRetainedShellVoxels: number; totalShellVoxels: number; skeletonVoxelsSeen: number; skeletonVoxelsHeld: number; peakRetainedGraphVoxels: number; graphVoxels: number };
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
    // Block skeletons wait for the graph pass on disk beside the block results, not in memory.
    const spillDir = opts.blockDir ? join(opts.blockDir, 'skeleton-spill') : undefined;
    const analyzeBlocks = async (halo: number) => {
      const collector = new BlockCollector(shape, block, settings.connectivity as Connectivity, { min: settings.min_size, max: settings.max_size }, spillDir);
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
    try {
      return assembleAnalysis(collected, shape, block, voxelSize, settings, threshold, { originUm: opts.originUm ?? [0, 0, 0], haloUsed: halo, warnings, onGraphPiece: opts.onGraphPiece, keepGraph: opts.keepGraph ?? true });
    } finally {
      if (spillDir) rmSync(spillDir, { recursive: true, force: true });
    }
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

/** Merge the collected block tables into components, then stream the skeleton graph and its summary. */
function assembleAnalysis(
  collected: BlockCollector,
  shape: Vec3,
  block: Vec3,
  voxelSize: Vec3,
  settings: AnalysisSettings,
  threshold: number,
  extra: { originUm: Vec3; haloUsed: number; warnings: string[]; onGraphPiece?: (piece: GraphPiece) => void; keepGraph: boolean },
): VolumeAnalysis {
  const merged = collected.labels.finish();
  const kept = keptComponents(merged, settings, voxelSize);
  const graph: SkeletonGraph = { nodes: [], branches: [] };
  const pieces: GraphPiece['skeleton'][] = [];
  const pass = runGraphPass(
    collected,
    {
      shape, block, voxelSize, touching: settings.connectivity === 6, map: merged.map, keep: kept.keep, kept: kept.components.length, stats: merged.stats,
      graphOptions: { pruneLengthUm: settings.prune_length_um, pruneRadiusFactor: settings.prune_radius_factor, lengthSmoothing: settings.length_smoothing },
    },
    (piece) => {
      extra.onGraphPiece?.(piece);
      if (!extra.keepGraph) return;
      for (const n of piece.nodes) graph.nodes.push(n);
      for (const b of piece.branches) graph.branches.push(b);
      pieces.push(piece.skeleton);
    },
  );
  const summary = pass.summary.finish({
    shape,
    voxelSize,
    originUm: extra.originUm,
    foregroundVoxels: kept.voxels,
    skeletonRadii: [],
    labelledComponents: kept.components.length,
    eulerNumber: Number.isNaN(kept.euler) ? undefined : kept.euler,
    maskLoops: Number.isNaN(kept.loops) ? undefined : kept.loops,
    beforeSizeFilter: { components: merged.count, foregroundVoxels: collected.foreground },
    parameters: { ...settings, threshold_value: threshold, voxel_size: voxelSize, shape, halo_used: extra.haloUsed },
  });
  return {
    shape, voxelSize, threshold, settings, components: kept.components, labelledComponents: merged.count, graph, skeleton: concatSkeletons(pieces), summary, foregroundVoxels: kept.voxels,
    originUm: extra.originUm, haloUsed: extra.haloUsed, warnings: extra.warnings,
    mergeState: {
      peakRetainedShellVoxels: collected.labels.peakRetainedShellVoxels,
      totalShellVoxels: collected.labels.totalShellVoxels,
      skeletonVoxelsSeen: collected.skeletonVoxelsSeen,
      skeletonVoxelsHeld: collected.skeletonVoxelsKept,
      peakRetainedGraphVoxels: pass.peakRetainedSkeletonVoxels,
      graphVoxels: pass.skeletonVoxels,
    },
  };
}

/** Size filter, then the kept components renumbered in raster order, with their χ and loops. */
function keptComponents(merged: StreamedLabels, settings: AnalysisSettings, voxelSize: Vec3) {
  const keep = new Int32Array(merged.count + 1);
  const components: ComponentRow[] = [];
  let voxels = 0, euler = 0, loops = 0;
  for (let c = 1; c <= merged.count; c++) {
    const n = merged.stats[c * STAT_STRIDE];
    if (n < settings.min_size || (settings.max_size !== undefined && n > settings.max_size)) continue;
    keep[c] = components.length + 1;
    components.push(componentRow(keep[c], merged.stats, c * STAT_STRIDE, voxelSize));
    voxels += n;
    const chi = merged.euler[c] / EULER_SCALE;
    euler += chi;
    // β1 = β0 + β2 − χ: a component without cavities has 1 − χ independent loops; one with
    // cavities (χ ≥ 2 and no tunnel) gives a negative value, counted as none.
    loops += Math.max(0, 1 - chi);
  }
  return { keep, components, voxels, euler, loops };
}

function concatSkeletons(parts: GraphPiece['skeleton'][]): VolumeAnalysis['skeleton'] {
  let n = 0;
  for (const p of parts) n += p.indices.length;
  const out = { indices: new Float64Array(n), radii: new Float32Array(n), component: new Int32Array(n) };
  let o = 0;
  for (const p of parts) {
    out.indices.set(p.indices, o);
    out.radii.set(p.radii, o);
    out.component.set(p.component, o);
    o += p.indices.length;
  }
  return out;
}

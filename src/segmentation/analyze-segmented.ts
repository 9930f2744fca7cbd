import { rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import type { Executor } from '../distributed/executor.js';
import type { AnalysisSettings } from '../campaign/sections/analysis.js';
import type { BlockSource } from '../analysis/block-source.js';
import { analyzeVolume, type VolumeAnalysis } from '../analysis/analyze-volume.js';
import { segmentVolume, type VolumeSegmentation } from './segment-volume.js';
import { NetworkStreamWriter } from '../analysis/network-stream-writer.js';
import type { WriteNetworkResult } from '../analysis/write-network.js';

export interface AnalyzeSegmentedOptions {
  /** Output folder: `segmentation.ome.zarr`, `classifier.json` (when trained) and `blocks/` go here. */
  outDir: string;
  labels?: BlockSource;
  model?: string;
  ignoreValue?: number;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

/** The file a trained classifier is written to, in the output folder. */
export const CLASSIFIER_FILE = 'classifier.json';
/** The binary mask, in the output folder. */
export const SEGMENTATION_STORE = 'segmentation.ome.zarr';

/** Paths in summary.json are relative to its folder when inside it, so equal runs in two folders write equal summaries. */
function relativeToOut(outDir: string, path: string): string {
  const r = relative(outDir, path);
  return r.startsWith('..') || isAbsolute(r) ? path : r;
}

/**
 * Segment a volume into `outDir/segmentation.ome.zarr` (any method), then label, measure and
 * thin that mask block by block (`analyzeVolume` with the threshold at 0.5 on the 0/1 mask: the
 * segmentation settings have been applied already), and write the network files into `outDir`
 * by streaming (network-stream-writer.ts): the returned analysis holds no graph or skeleton. The summary's `parameters` record the
 * segmentation: method, threshold value and model file.
 */
export async function analyzeSegmented(
  source: BlockSource,
  settings: AnalysisSettings,
  voxelSize: Vec3,
  executor: Executor,
  opts: AnalyzeSegmentedOptions,
): Promise<{ analysis: VolumeAnalysis; segmentation: VolumeSegmentation; network: WriteNetworkResult }> {
  const blockDir = join(opts.outDir, 'blocks');
  const segmentation = await segmentVolume(source, settings, voxelSize, executor, {
    maskStore: join(opts.outDir, SEGMENTATION_STORE),
    labels: opts.labels,
    model: opts.model,
    modelOut: join(opts.outDir, CLASSIFIER_FILE),
    ignoreValue: opts.ignoreValue,
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
  // The analysis blocks' resume key names the mask store, not its content: a new mask voids them.
  if (segmentation.blocksRun > 0) await rm(blockDir, { recursive: true, force: true });
  const onMask: AnalysisSettings = { ...settings, threshold: 0.5, smooth_sigma: 0, open_radius: 0, close_radius: 0, fill_holes: false };
  // The network is written piece by piece as the graph pass finishes each component: the
  // coordinator never holds the whole graph.
  const writer = new NetworkStreamWriter(opts.outDir, source.shape, { voxelSize, originUm: [0, 0, 0] }, settings);
  let analysis: VolumeAnalysis;
  try {
    analysis = await analyzeVolume(segmentation.mask, source.shape, onMask, voxelSize, executor, { blockDir, signal: opts.signal, onProgress: opts.onProgress, keepGraph: false, onGraphPiece: (p) => writer.add(p) });
  } catch (err) {
    writer.discard();
    throw err;
  }
  const parameters = {
    ...settings,
    ...analysis.summary.parameters,
    threshold: settings.threshold,
    smooth_sigma: settings.smooth_sigma,
    open_radius: settings.open_radius,
    close_radius: settings.close_radius,
    fill_holes: settings.fill_holes,
    threshold_value: segmentation.threshold,
    segmentation: { ...settings.segmentation, method: segmentation.method, threshold_value: segmentation.threshold, ...(segmentation.modelPath ? { model: relativeToOut(opts.outDir, segmentation.modelPath) } : {}), mask: SEGMENTATION_STORE },
  };
  const summary = { ...analysis.summary, parameters };
  const network = await writer.finish(analysis.components, summary);
  return { analysis: { ...analysis, threshold: segmentation.threshold, settings, summary }, segmentation, network };
}

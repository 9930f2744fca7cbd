import { dirname, join, resolve } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import type { AnalysisSettings } from '../campaign/sections/analysis.js';
import { createExecutor } from '../distributed/create-executor.js';
import { getLogger } from '../log.js';
import type { VolumeAnalysis } from './analyze-volume.js';
import { analyzeSegmented } from '../segmentation/analyze-segmented.js';
import { openVolumeInput } from '../segmentation/open-volume-input.js';
import { campaignVolumeSource } from './campaign-volume-source.js';
import type { BlockSource } from './block-source.js';
import type { Vec3 } from '../geometry/box.js';

export interface AnalyzeCampaignOptions {
  /** Settings over the campaign's `analysis:` section (already validated by the caller). */
  settings?: AnalysisSettings;
  /** Read this instead of the campaign volume (fused OME-Zarr, else the stitched view). */
  source?: BlockSource;
  /** Voxel size (z, y, x) µm. @default the campaign's */
  voxelSize?: Vec3;
  /** Value marking "no data", left out of Otsu/percentiles. @default fusion.fill_value for multi-tile campaigns */
  ignoreValue?: number;
  /** Classifier training labels (overrides `analysis.segmentation.labels`). */
  labels?: BlockSource;
  /** Classifier model file to apply (overrides `analysis.segmentation.model`). */
  model?: string;
  /** @default workdir/network */
  outDir?: string;
  workers?: number;
  servers?: string;
  signal?: AbortSignal;
  onProgress?: (phase: string, done: number, total: number) => void;
}

/**
 * `stitchgraph analyze` as a library call: segment, label, measure and skeletonise the campaign's
 * stitched volume block by block on the campaign's executor, and write `network/` by streaming
 * (the returned analysis carries components and summary; its `graph` and `skeleton` are empty:
 * read them from `network/`).
 */
export async function analyzeCampaign(campaign: Campaign, opts: AnalyzeCampaignOptions = {}): Promise<{ outDir: string; files: string[]; analysis: VolumeAnalysis; input: string }> {
  const log = getLogger();
  const settings = opts.settings ?? campaign.config.analysis;
  const { source, what } = opts.source ? { source: opts.source, what: JSON.stringify(opts.source.spec) } : await campaignVolumeSource(campaign);
  const outDir = opts.outDir ?? join(campaign.workdir, 'network');
  const executor = await createExecutor(campaign.config.distributed, { workers: opts.workers, servers: opts.servers }, { campaignFile: campaign.file, runId: 'analyze' });
  log.info({ input: what, shape: source.shape, voxelSize: opts.voxelSize ?? campaign.voxelSize, out: outDir }, 'analyze');
  try {
    // Labels and model named in the YAML are relative to it.
    const seg = settings.segmentation;
    const labels = opts.labels ?? (seg.labels && !opts.model ? await openVolumeInput(seg.labels, 'analysis.segmentation.labels', dirname(campaign.file)) : undefined);
    const model = opts.model ?? (seg.model ? resolve(dirname(campaign.file), seg.model) : undefined);
    const { analysis, network } = await analyzeSegmented(source, settings, opts.voxelSize ?? campaign.voxelSize, executor, {
      outDir,
      labels,
      model,
      // Where no tile reaches, the stitched volume holds the fill value: not data.
      ignoreValue: opts.ignoreValue ?? (campaign.tiles.length > 1 ? campaign.config.fusion.fill_value : undefined),
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    for (const w of analysis.warnings) log.warn(w);
    for (const k of network.skipped) log.warn({ file: k.file }, `${k.file} not written: ${k.reason}`);
    return { outDir, files: [outDir], analysis, input: what };
  } finally {
    await executor.close();
  }
}

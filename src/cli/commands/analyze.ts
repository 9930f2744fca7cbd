import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { openCampaign } from '../../campaign/open-campaign.js';
import { AnalysisSettingsSchema, type AnalysisSettings } from '../../campaign/sections/analysis.js';
import { DistributedSettingsSchema } from '../../campaign/sections/distributed.js';
import { createExecutor } from '../../distributed/create-executor.js';
import type { VolumeAnalysis } from '../../analysis/analyze-volume.js';
import { analyzeSegmented, SEGMENTATION_STORE } from '../../segmentation/analyze-segmented.js';
import { openVolumeInput } from '../../segmentation/open-volume-input.js';
import { SEGMENTATION_METHODS } from '../../segmentation/segmentation-settings.js';
import { analyzeCampaign } from '../../analysis/analyze-campaign.js';
import type { BlockSource } from '../../analysis/block-source.js';
import { StitchgraphError } from '../../errors.js';
import { getLogger } from '../../log.js';
import { progressBar, type Progress } from '../progress.js';
import { parseVec3 } from '../parse-args.js';
import type { Vec3 } from '../../geometry/box.js';

/** The `analysis.segmentation` section with the command line's choices over it. */
function segmentationOverrides(section: unknown, o: Record<string, string | undefined>): Record<string, unknown> {
  const seg: Record<string, unknown> = { ...((section as Record<string, unknown> | undefined) ?? {}) };
  if (o.segmentation !== undefined) seg.method = o.segmentation;
  else if (o.labels || o.model) seg.method = 'classifier';
  if (o.labels || o.model) {
    delete seg.labels;
    delete seg.model;
  }
  // --threshold is the rule of the method in force: on vesselness and classifier it thresholds their response.
  if (o.threshold !== undefined && (seg.method === 'vesselness' || seg.method === 'classifier')) seg.threshold = parseThreshold(o.threshold);
  return seg;
}

function parseThreshold(t: string): AnalysisSettings['threshold'] {
  return /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(t) ? Number(t) : t;
}

export function addAnalyzeCommand(program: Command): void {
  program
    .command('analyze [campaign]')
    .description('segmentation, labelling, skeleton and vessel network statistics → workdir/network/')
    .option('--input <FILE.tif|store.zarr#path>', 'analyse this volume (a TIFF stack or a Zarr array) instead of the campaign volume; no campaign needed')
    .option('--array <store#path>', 'the same as --input (older name)')
    .option('--segmentation <method>', `how the mask is made: ${SEGMENTATION_METHODS.join(' | ')} (overrides analysis.segmentation.method)`)
    .option('--labels <FILE.tif|store.zarr#path>', 'classifier training labels, same shape as the volume: 0 unlabelled, 1 background, 2 structure (ilastik export)')
    .option('--model <file>', 'apply this classifier model file (classifier.json of an earlier run) instead of training')
    .option('--out <dir>', 'output folder (default: workdir/network, or ./network with --array alone)')
    .option('--voxel-size <z,y,x>', 'voxel size in µm (default: the campaign\'s, else 1,1,1)')
    .option('--threshold <rule>', 'otsu | a number | pNN (overrides the campaign); with vesselness or classifier, on their response')
    .option('--min-size <voxels>', 'smallest component kept (overrides the campaign)')
    .option('--block <voxels>', 'block edge (overrides the campaign)')
    .option('--ignore-value <v>', 'value that marks "no data" (e.g. a fused volume\'s fill value): left out of Otsu and percentiles (default with a campaign: fusion.fill_value)')
    .option('--workers <n>', 'local worker pool size')
    .option('--servers <url>', 'NATS servers: run blocks on workers')
    .action(async (campaignFile: string | undefined, o: Record<string, string | undefined>) => {
      const log = getLogger();
      const input = o.input ?? o.array;
      if (!campaignFile && !input) throw new StitchgraphError('UsageError', 'Cannot analyse: give a campaign YAML or --input FILE.tif|store.zarr#path');
      if (o.labels && o.model) throw new StitchgraphError('UsageError', 'Cannot analyse: give --labels (train a classifier) or --model (apply one), not both');
      const campaign = campaignFile ? await openCampaign(resolve(campaignFile)) : undefined;
      const settingsIn: Record<string, unknown> = { ...(campaign?.config.analysis ?? {}) };
      if (o.threshold !== undefined) settingsIn.threshold = parseThreshold(o.threshold);
      if (o.minSize !== undefined) settingsIn.min_size = Number(o.minSize);
      if (o.block !== undefined) settingsIn.block = Number(o.block);
      settingsIn.segmentation = segmentationOverrides(settingsIn.segmentation, o);
      const parsed = AnalysisSettingsSchema.safeParse(settingsIn);
      if (!parsed.success) throw new StitchgraphError('ConfigError', `Cannot analyse: invalid analysis settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const settings = parsed.data;
      const voxelSize: Vec3 = o.voxelSize ? parseVec3(o.voxelSize, '--voxel-size') : (campaign?.voxelSize ?? [1, 1, 1]);
      const source: BlockSource | undefined = input ? await openVolumeInput(input, o.input ? '--input' : '--array') : undefined;
      const labels = o.labels ? await openVolumeInput(o.labels, '--labels') : undefined;
      const model = o.model ? resolve(o.model) : undefined;
      const outDir = o.out ? resolve(o.out) : campaign ? join(campaign.workdir, 'network') : resolve('network');
      const workers = o.workers !== undefined ? Number(o.workers) : undefined;
      let bar: Progress | undefined, phase = '';
      const onProgress = (p: string, done: number, total: number) => {
        if (p !== phase) {
          bar?.stop();
          phase = p;
          bar = progressBar(`analyze ${p}`, total);
        }
        bar?.update(done, total);
      };
      let a: VolumeAnalysis;
      try {
        if (campaign) {
          a = (await analyzeCampaign(campaign, { settings, source, outDir, voxelSize, labels, model, ignoreValue: o.ignoreValue === undefined ? undefined : Number(o.ignoreValue), workers, servers: o.servers, onProgress })).analysis;
        } else {
          // --array alone: no campaign, so the voxel size and executor come from the command line.
          const executor = await createExecutor(DistributedSettingsSchema.parse({ mode: 'local' }), { workers, servers: o.servers }, {});
          try {
            const r = await analyzeSegmented(source!, settings, voxelSize, executor, { outDir, labels, model, onProgress, ignoreValue: o.ignoreValue === undefined ? undefined : Number(o.ignoreValue) });
            a = r.analysis;
            if (r.segmentation.trained) log.info({ model: r.segmentation.modelPath }, 'classifier model written');
            for (const w of a.warnings) log.warn(w);
            for (const k of r.network.skipped) log.warn({ file: k.file }, `${k.file} not written: ${k.reason}`);
          } finally {
            await executor.close();
          }
        }
      } finally {
        bar?.stop();
      }
      const s = a.summary;
      const seg = a.summary.parameters.segmentation as { method?: string; model?: string } | undefined;
      log.info({ method: seg?.method, mask: join(outDir, SEGMENTATION_STORE), ...(seg?.model ? { model: seg.model } : {}) }, 'segmentation written');
      log.info({ components: a.components.length, branches: s.n_branches, junctions: s.n_junctions, endpoints: s.n_endpoints, total_length_um: s.total_length_um, threshold: a.threshold }, 'network written');
      process.stdout.write(`${outDir}\n`);
    });
}

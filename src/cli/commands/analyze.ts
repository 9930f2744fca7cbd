import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { openCampaign } from '../../campaign/open-campaign.js';
import { AnalysisSettingsSchema, type AnalysisSettings } from '../../campaign/sections/analysis.js';
import { DistributedSettingsSchema } from '../../campaign/sections/distributed.js';
import { createExecutor } from '../../distributed/create-executor.js';
import { analyzeVolume, type VolumeAnalysis } from '../../analysis/analyze-volume.js';
import { analyzeCampaign } from '../../analysis/analyze-campaign.js';
import { writeNetwork } from '../../analysis/write-network.js';
import { zarrBlockSource, type BlockSource } from '../../analysis/block-source.js';
import { StitchgraphError } from '../../errors.js';
import { getLogger } from '../../log.js';
import { progressBar, type Progress } from '../progress.js';
import { parseVec3 } from '../parse-args.js';
import type { Vec3 } from '../../geometry/box.js';

function parseArraySpec(spec: string): { store: string; path: string } {
  const i = spec.indexOf('#');
  if (i <= 0 || i === spec.length - 1) throw new StitchgraphError('UsageError', `Cannot read --array "${spec}": expected store.zarr#path/in/store`);
  return { store: resolve(spec.slice(0, i)), path: spec.slice(i + 1) };
}

function parseThreshold(t: string): AnalysisSettings['threshold'] {
  return /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(t) ? Number(t) : t;
}

export function addAnalyzeCommand(program: Command): void {
  program
    .command('analyze [campaign]')
    .description('segmentation, labelling, skeleton and vessel network statistics → workdir/network/')
    .option('--array <store#path>', 'analyse this Zarr array instead of the campaign volume')
    .option('--out <dir>', 'output folder (default: workdir/network, or ./network with --array alone)')
    .option('--voxel-size <z,y,x>', 'voxel size in µm (default: the campaign\'s, else 1,1,1)')
    .option('--threshold <rule>', 'otsu | a number | pNN (overrides the campaign)')
    .option('--min-size <voxels>', 'smallest component kept (overrides the campaign)')
    .option('--block <voxels>', 'block edge (overrides the campaign)')
    .option('--ignore-value <v>', 'value that marks "no data" (e.g. a fused volume\'s fill value): left out of Otsu and percentiles (default with a campaign: fusion.fill_value)')
    .option('--workers <n>', 'local worker pool size')
    .option('--servers <url>', 'NATS servers: run blocks on workers')
    .action(async (campaignFile: string | undefined, o: Record<string, string | undefined>) => {
      const log = getLogger();
      if (!campaignFile && !o.array) throw new StitchgraphError('UsageError', 'Cannot analyse: give a campaign YAML or --array store.zarr#path');
      const campaign = campaignFile ? await openCampaign(resolve(campaignFile)) : undefined;
      const settingsIn: Record<string, unknown> = { ...(campaign?.config.analysis ?? {}) };
      if (o.threshold !== undefined) settingsIn.threshold = parseThreshold(o.threshold);
      if (o.minSize !== undefined) settingsIn.min_size = Number(o.minSize);
      if (o.block !== undefined) settingsIn.block = Number(o.block);
      const parsed = AnalysisSettingsSchema.safeParse(settingsIn);
      if (!parsed.success) throw new StitchgraphError('ConfigError', `Cannot analyse: invalid analysis settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const settings = parsed.data;
      const voxelSize: Vec3 = o.voxelSize ? parseVec3(o.voxelSize, '--voxel-size') : (campaign?.voxelSize ?? [1, 1, 1]);
      let source: BlockSource | undefined;
      if (o.array) {
        const { store, path } = parseArraySpec(o.array);
        source = await zarrBlockSource(store, path);
      }
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
          a = (await analyzeCampaign(campaign, { settings, source, outDir, voxelSize, ignoreValue: o.ignoreValue === undefined ? undefined : Number(o.ignoreValue), workers, servers: o.servers, onProgress })).analysis;
        } else {
          // --array alone: no campaign, so the voxel size and executor come from the command line.
          const executor = await createExecutor(DistributedSettingsSchema.parse({ mode: 'local' }), { workers, servers: o.servers }, {});
          try {
            a = await analyzeVolume(source!, source!.shape, settings, voxelSize, executor, { blockDir: join(outDir, 'blocks'), onProgress, ignoreValue: o.ignoreValue === undefined ? undefined : Number(o.ignoreValue) });
            await writeNetwork(outDir, a);
          } finally {
            await executor.close();
          }
        }
      } finally {
        bar?.stop();
      }
      const s = a.summary;
      log.info({ components: a.components.length, branches: s.n_branches, junctions: s.n_junctions, endpoints: s.n_endpoints, total_length_um: s.total_length_um, threshold: a.threshold }, 'network written');
      process.stdout.write(`${outDir}\n`);
    });
}

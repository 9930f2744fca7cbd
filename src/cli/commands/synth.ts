import type { Command } from 'commander';
import { resolve } from 'node:path';
import { synthCampaign } from '../../synth/synth-campaign.js';
import { getLogger } from '../../log.js';
import { progressBar } from '../progress.js';
import { parseVec3 } from '../parse-args.js';
import { StitchgraphError } from '../../errors.js';

export function addSynthCommand(program: Command): void {
  program
    .command('synth [campaign]')
    .description('make a synthetic campaign with known truth (vessel phantom, tiles, stage error, noise) → store, YAML, truth.json')
    .option('--out <dir>', 'output folder (default: the folder of [campaign], else ./synth)')
    .option('--grid <nz,ny,nx>', 'tiles along z, y, x', '2,2,2')
    .option('--tile <d,h,w>', 'tile shape (d = 1: a 2-D campaign)', '128,128,128')
    .option('--overlap <f>', 'overlap fraction between neighbours', '0.15')
    .option('--stage-error <vox>', 'largest stage error per axis, voxels', '6')
    .option('--noise <f>', 'noise sigma relative to vessel contrast', '0.03')
    .option('--seed <n>', 'random seed', '1')
    .option('--fov <kind>', 'full | cylinder (tomography: empty corners)', 'full')
    .option('--voxel-size <z,y,x>', 'voxel size in µm', '1,1,1')
    .action(async (campaign: string | undefined, o: Record<string, string>) => {
      const log = getLogger();
      let outDir = o.out ? resolve(o.out) : undefined;
      let name = 'synth';
      if (campaign) {
        const abs = resolve(campaign);
        if (!abs.endsWith('.yaml') && !abs.endsWith('.yml')) throw new StitchgraphError('InputError', `Cannot synthesise ${campaign}: the campaign file must end in .yaml`);
        outDir ??= resolve(abs, '..');
        name = abs.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
      }
      outDir ??= resolve('synth');
      const fov = o.fov;
      if (fov !== 'full' && fov !== 'cylinder') throw new StitchgraphError('UsageError', `Cannot synthesise: --fov must be full or cylinder, not "${fov}"`);
      const grid = parseVec3(o.grid, '--grid');
      const bar = progressBar('synth tiles', grid[0] * grid[1] * grid[2]);
      const res = await synthCampaign({
        outDir,
        name,
        grid,
        tileShape: parseVec3(o.tile, '--tile'),
        overlap: Number(o.overlap),
        stageError: Number(o.stageError),
        noise: Number(o.noise),
        seed: Number(o.seed),
        fieldOfView: fov,
        voxelSize: parseVec3(o.voxelSize, '--voxel-size'),
        onTile: (done) => bar.update(done),
      });
      bar.stop();
      log.info({ config: res.configPath, store: res.storePath, truth: res.truthPath }, 'synthetic campaign written');
      process.stdout.write(`${res.configPath}\n`);
    });
}

import type { Command } from 'commander';
import { untilInterrupted } from '../until-interrupted.js';
import { resolve } from 'node:path';
import { openCampaign } from '../../campaign/open-campaign.js';
import { fuseCampaign } from '../../stitch/fuse-campaign.js';
import { parseVec3 } from '../parse-args.js';
import { progressBar } from '../progress.js';
import { getLogger } from '../../log.js';
import { StitchgraphError } from '../../errors.js';
import { isTileDtype } from '../../zarrio/dtypes.js';
import type { BlendMode } from '../../stitch/blend-weight.js';

export function addFuseCommand(program: Command): void {
  program
    .command('fuse <campaign>')
    .description('the whole stitched volume → workdir/fused.ome.zarr (multiscale OME-Zarr, resumable)')
    .option('--out <dir>', 'output OME-Zarr (default: <workdir>/fused.ome.zarr)')
    .option('--positions <file>', 'positions.json (default: <workdir>/positions.json, else nominal positions)')
    .option('--levels <n>', 'pyramid levels including full resolution (default: until one chunk wide)')
    .option('--chunk <d,h,w>', 'chunk = block shape (default: fusion.chunk)')
    .option('--blend <mode>', 'average | linear | cosine | max | first (default: fusion.blend)')
    .option('--dtype <type>', 'float32 | tile | uint16 | ...', 'float32')
    .option('--compressor <name>', 'blosc (zstd level 1, byte shuffle; read by zarr-python 2) | zlib', 'blosc')
    .option('--ngff <version>', '0.4 (Zarr v2, zarr-python 2) | 0.5 (Zarr v3) (default: fusion.ngff)')
    .option('--no-intensity-correction', 'do not apply the per-tile gain/offset')
    .option('--workers <n>', 'local workers (overrides distributed.workers)')
    .option('--servers <url>', 'NATS servers (overrides distributed)')
    .action(async (campaignPath: string, o: Record<string, string | boolean | undefined>) => {
      const log = getLogger();
      const dtype = String(o.dtype);
      if (dtype !== 'tile' && !isTileDtype(dtype)) throw new StitchgraphError('UsageError', `Cannot fuse: --dtype ${dtype} must be float32, tile, uint8, uint16, int16, uint32, int32 or float64`);
      const compressor = String(o.compressor);
      if (compressor !== 'blosc' && compressor !== 'zlib') throw new StitchgraphError('UsageError', `Cannot fuse: --compressor ${compressor} must be blosc or zlib`);
      if (o.ngff !== undefined && o.ngff !== '0.4' && o.ngff !== '0.5') throw new StitchgraphError('UsageError', `Cannot fuse: --ngff ${String(o.ngff)} must be 0.4 or 0.5`);
      const campaign = await openCampaign(campaignPath);
      const bar = progressBar('fuse blocks', 1);
      try {
        await untilInterrupted('Cannot finish fusion: interrupted; finished blocks are kept, run again to resume', async (signal) => {
          const res = await fuseCampaign(campaign, {
            workers: o.workers === undefined ? undefined : Number(o.workers),
            servers: o.servers as string | undefined,
            out: o.out === undefined ? undefined : resolve(String(o.out)),
            positions: o.positions !== undefined ? resolve(String(o.positions)) : undefined,
            levels: o.levels === undefined ? undefined : Number(o.levels),
            chunk: o.chunk === undefined ? undefined : parseVec3(String(o.chunk), '--chunk'),
            blend: o.blend as BlendMode | undefined,
            dtype,
            compressor,
            ngff: o.ngff as '0.4' | '0.5' | undefined,
            intensityCorrection: o.intensityCorrection === false ? false : undefined,
            signal,
            onProgress: (d, t) => bar.update(d, t),
          });
          log.info(res, 'fused');
          process.stdout.write(`${res.out}\n`);
        });
      } finally {
        bar.stop();
      }
    });
}

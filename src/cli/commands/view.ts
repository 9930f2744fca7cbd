import type { Command } from 'commander';
import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { openCampaign } from '../../campaign/open-campaign.js';
import { openStitchedVolume } from '../../stitch/open-stitched-volume.js';
import { checkViewRegion, type ViewExtent } from '../check-view-region.js';
import { parseVec3 } from '../parse-args.js';
import { StitchgraphError } from '../../errors.js';
import { getLogger } from '../../log.js';
import { writeNpy } from '../../imageio/write-npy.js';
import { writePngPlane } from '../../imageio/write-png.js';
import { writeTiffStack } from '../../imageio/write-tiff.js';
import { ZarrV2Array } from '../../imageio/zarr-v2-array.js';
import { isTileDtype } from '../../zarrio/dtypes.js';
import type { ViewOptions } from '../../stitch/stitched-volume.js';
import type { BlendMode } from '../../stitch/blend-weight.js';

function isInt(v: number[]): boolean {
  return v.every(Number.isInteger);
}

export function addViewCommand(program: Command): void {
  program
    .command('view <campaign>')
    .description('one region of the stitched volume → .tif/.png/.zarr/.npy')
    .requiredOption('--pos <z,y,x>', 'region start in the global frame (voxels of --level)')
    .requiredOption('--size <d,h,w>', 'region size (voxels); .png needs d = 1')
    .requiredOption('--out <file>', 'output: .tif (stack), .png (one plane, contrast-scaled), .npy or .zarr')
    .option('--positions <file>', 'positions.json (default: <workdir>/positions.json, else nominal positions)')
    .option('--blend <mode>', 'average | linear | cosine | max | first (default: fusion.blend)')
    .option('--blend-width <vox>', 'width of the linear/cosine ramp (default: fusion.blend_width)')
    .option('--level <n>', 'pyramid level (each halves the resolution)', '0')
    .option('--dtype <type>', 'float32 | tile | uint8 | uint16 | ...', 'float32')
    .option('--interpolation <kind>', 'nearest | linear', 'nearest')
    .option('--no-intensity-correction', 'do not apply the per-tile gain/offset')
    .action(async (campaignPath: string, o: Record<string, string | boolean | undefined>) => {
      const log = getLogger();
      const pos = parseVec3(String(o.pos), '--pos');
      const size = parseVec3(String(o.size), '--size');
      if (!isInt(pos) || !isInt(size) || size.some((s) => s < 1)) throw new StitchgraphError('UsageError', `Cannot make a view: --pos must be integers and --size positive integers (got ${o.pos} and ${o.size})`);
      const out = resolve(String(o.out));
      const ext = /\.(tiff?|png|npy|zarr)$/i.exec(out)?.[1].toLowerCase();
      if (!ext) throw new StitchgraphError('InputError', `Cannot write view to ${out}: the name must end in .tif, .png, .npy or .zarr`);
      if (ext === 'png' && size[0] !== 1) throw new StitchgraphError('InputError', `Cannot write ${out}: a .png holds one plane, give --size 1,h,w (got ${o.size})`);
      const dtype = String(o.dtype);
      if (dtype !== 'tile' && !isTileDtype(dtype)) throw new StitchgraphError('UsageError', `Cannot make a view: --dtype ${dtype} must be float32, tile, uint8, uint16, int16, uint32, int32 or float64`);
      const opts: ViewOptions = {
        blend: o.blend as BlendMode | undefined,
        blendWidth: o.blendWidth === undefined ? undefined : Number(o.blendWidth),
        level: Number(o.level),
        dtype,
        interpolation: o.interpolation as 'nearest' | 'linear',
        intensityCorrection: o.intensityCorrection === false ? false : undefined,
      };
      const campaign = await openCampaign(campaignPath);
      const volume = await openStitchedVolume(campaign, o.positions === undefined ? undefined : resolve(String(o.positions)));
      const outside = checkViewRegion(pos, size, volume.levelExtent(opts.level ?? 0) as ViewExtent);
      if (outside) log.warn({ pos, size }, outside);
      const t0 = performance.now();
      const view = await volume.getView(pos, size, opts);
      if (ext === 'png') await writePngPlane(out, view.data, size[2], size[1]);
      else if (ext === 'npy') await writeNpy(out, view.data, size, view.dtype);
      else if (ext === 'zarr') {
        await rm(out, { recursive: true, force: true });
        const chunks = size.map((s) => Math.min(s, 128));
        const arr = await ZarrV2Array.create(out, { shape: size, chunks, dtype: view.dtype, fillValue: 0 }, { stitchgraph: { campaign: campaign.file, position: pos, level: opts.level } });
        const cz = chunks[0], cy = chunks[1], cx = chunks[2];
        for (let z = 0; z < size[0]; z += cz)
          for (let y = 0; y < size[1]; y += cy)
            for (let x = 0; x < size[2]; x += cx) {
              const bs = [Math.min(cz, size[0] - z), Math.min(cy, size[1] - y), Math.min(cx, size[2] - x)];
              const sub = (await volume.getView([pos[0] + z, pos[1] + y, pos[2] + x], bs as [number, number, number], opts)).data;
              await arr.writeBlock([z, y, x], bs, sub);
            }
      } else await writeTiffStack(out, view.data, size, view.dtype);
      log.info({ out, shape: size, dtype: view.dtype, seconds: (performance.now() - t0) / 1000 }, 'view written');
      process.stdout.write(`${out}\n`);
    });
}

import type { Command } from 'commander';
import { intensitySummary } from '../../stitch/intensity-summary.js';
import { storedIntensityModel } from '../../stitch/stored-intensity-model.js';
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
import { writeTiffStack, type TiffCalibration } from '../../imageio/write-tiff.js';
import type { StitchedVolume } from '../../stitch/stitched-volume.js';
import type { Vec3 } from '../../geometry/box.js';
import { ZarrV2Array } from '../../imageio/zarr-v2-array.js';
import { isTileDtype } from '../../zarrio/dtypes.js';
import type { ViewOptions } from '../../stitch/stitched-volume.js';
import type { BlendMode } from '../../stitch/blend-weight.js';

function isInt(v: number[]): boolean {
  return v.every(Number.isInteger);
}

/** Level-0 voxels per voxel of `level`. */
function levelFactors(volume: StitchedVolume, level: number): Vec3 {
  let f: Vec3 = [1, 1, 1];
  for (let l = 1; l <= level; l++) f = f.map((v, a) => v * volume.levelStep(l)[a]) as Vec3;
  return f;
}

/**
 * Voxel size and origin of a view in µm, placed as the OME-Zarr output places its levels: a
 * level-k voxel j is centred at level-0 coordinate (j + 0.5)·f − 0.5.
 */
function viewCalibration(volume: StitchedVolume, pos: Vec3, level: number): TiffCalibration {
  const f = levelFactors(volume, level);
  const vs = volume.campaign.voxelSize;
  return {
    voxelSize_um: f.map((v, a) => v * vs[a]) as Vec3,
    origin_um: pos.map((p, a) => (p * f[a] + (f[a] - 1) / 2) * vs[a]) as Vec3,
  };
}

/** A .zarr view computed once, chunk by chunk: memory holds one chunk, never the whole view. */
async function writeViewZarr(out: string, volume: StitchedVolume, pos: Vec3, size: Vec3, opts: ViewOptions, campaignFile: string): Promise<void> {
  await rm(out, { recursive: true, force: true });
  const chunks = size.map((s) => Math.min(s, 128)) as Vec3;
  const first = await volume.getView(pos, chunks.map((c, a) => Math.min(c, size[a])) as Vec3, opts);
  const arr = await ZarrV2Array.create(out, { shape: size, chunks, dtype: first.dtype, fillValue: 0 }, { stitchgraph: { campaign: campaignFile, position: pos, level: opts.level } });
  for (let z = 0; z < size[0]; z += chunks[0])
    for (let y = 0; y < size[1]; y += chunks[1])
      for (let x = 0; x < size[2]; x += chunks[2]) {
        const bs: Vec3 = [Math.min(chunks[0], size[0] - z), Math.min(chunks[1], size[1] - y), Math.min(chunks[2], size[2] - x)];
        const block = z === 0 && y === 0 && x === 0 ? first : await volume.getView([pos[0] + z, pos[1] + y, pos[2] + x], bs, opts);
        await arr.writeBlock([z, y, x], bs, block.data);
      }
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
      if (volume.resolveViewOptions(opts).intensityCorrection) {
        const { model: m, reused } = await storedIntensityModel(volume);
        log.info({ applied: m.helps, stored: reused, tiles: intensitySummary(m, volume.tiles.map((t) => t.info.id)).tiles }, `intensity correction ${m.reason}`);
      }
      if (ext === 'zarr') await writeViewZarr(out, volume, pos, size, opts, campaign.file);
      else {
        const view = await volume.getView(pos, size, opts);
        if (ext === 'png') await writePngPlane(out, view.data, size[2], size[1]);
        else if (ext === 'npy') await writeNpy(out, view.data, size, view.dtype);
        else await writeTiffStack(out, view.data, size, view.dtype, viewCalibration(volume, pos, opts.level ?? 0));
      }
      log.info({ out, shape: size, seconds: (performance.now() - t0) / 1000 }, 'view written');
      process.stdout.write(`${out}\n`);
    });
}

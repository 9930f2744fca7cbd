import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import type { PositionsFile } from '../formats/positions.js';
import { openStitchedVolume } from '../stitch/open-stitched-volume.js';
import { FUSE_COMPLETE_MARKER } from '../stitch/fuse-volume.js';
import { contrastScale, encodePngGray8 } from '../imageio/write-png.js';
import { openFileStore, openTileArray } from '../zarrio/tile-array.js';
import type { ReportSlice } from './write-report.js';

/** Largest edge (pixels) of a report slice. */
const MAX_EDGE = 512;
/** Most level-0 voxels a slice may cost when composed from the tiles (no fused pyramid). */
const MAX_COMPOSE_VOXELS = 48 * 2 ** 20;

/**
 * Two orthogonal slices through the middle of the stitched volume (y–x and z–x planes) with the
 * tile outlines that cross them. From the fused pyramid when there is one (cheap at any size),
 * else composed by getView at the pyramid level that makes the slice at most MAX_EDGE pixels, as
 * long as that stays affordable; a huge campaign that was not fused gets no slice.
 */
export async function reportSlices(campaign: Campaign, positions: PositionsFile | undefined): Promise<ReportSlice[]> {
  const positionsPath = join(campaign.workdir, 'positions.json');
  const volume = await openStitchedVolume(campaign, positions ? positionsPath : undefined);
  const fused = join(campaign.workdir, 'fused.ome.zarr');
  const haveFused = existsSync(join(fused, FUSE_COMPLETE_MARKER));
  let level = 0;
  while (level < 12) {
    const s = volume.levelExtent(level).shape;
    if (Math.max(s[1], s[2], s[0]) <= MAX_EDGE) break;
    level++;
  }
  const ext = volume.levelExtent(level);
  const f = 2 ** level;
  const readPlane = async (start: Vec3, size: Vec3): Promise<Float32Array | undefined> => {
    if (haveFused && existsSync(join(fused, String(level)))) {
      const arr = await openTileArray(openFileStore(fused), String(level), fused);
      const local: Vec3 = [start[0] - ext.lo[0], start[1] - ext.lo[1], start[2] - ext.lo[2]];
      const r = await arr.readRegion({ start: local, size });
      return Float32Array.from(r.data as ArrayLike<number>);
    }
    const cost = size[0] * size[1] * size[2] * f ** 3;
    if (cost > MAX_COMPOSE_VOXELS) return undefined;
    return (await volume.getView(start, size, { level })).data as Float32Array;
  };
  const pos = (id: string): Vec3 => (positions?.tiles[id]?.position as Vec3 | undefined) ?? campaign.tileById.get(id)!.nominal;
  const out: ReportSlice[] = [];
  const [d, h, w] = ext.shape;
  const zc = ext.lo[0] + Math.floor(d / 2);
  const top = await readPlane([zc, ext.lo[1], ext.lo[2]], [1, h, w]);
  if (top) {
    const zGlobal = (zc + 0.5) * (volume.levelStep(1)[0] === 1 ? 1 : f);
    out.push({
      title: `y–x plane at z = ${Math.round(zGlobal)} (level ${level}, 1 px = ${f} voxels)`,
      file: 'slice-yx.png',
      png: encodePngGray8(contrastScale(top), w, h),
      width: w,
      height: h,
      borders: campaign.tiles
        .filter((t) => pos(t.id)[0] <= zGlobal && zGlobal < pos(t.id)[0] + t.shape[0])
        .map((t) => ({ id: t.id, x0: pos(t.id)[2] / f - ext.lo[2], y0: pos(t.id)[1] / f - ext.lo[1], x1: (pos(t.id)[2] + t.shape[2]) / f - ext.lo[2], y1: (pos(t.id)[1] + t.shape[1]) / f - ext.lo[1] })),
    });
  }
  if (d > 1) {
    const yc = ext.lo[1] + Math.floor(h / 2);
    const side = await readPlane([ext.lo[0], yc, ext.lo[2]], [d, 1, w]);
    if (side) {
      const yGlobal = (yc + 0.5) * f;
      out.push({
        title: `z–x plane at y = ${Math.round(yGlobal)} (level ${level})`,
        file: 'slice-zx.png',
        png: encodePngGray8(contrastScale(side), w, d),
        width: w,
        height: d,
        borders: campaign.tiles
          .filter((t) => pos(t.id)[1] <= yGlobal && yGlobal < pos(t.id)[1] + t.shape[1])
          .map((t) => ({ id: t.id, x0: pos(t.id)[2] / f - ext.lo[2], y0: pos(t.id)[0] / f - ext.lo[0], x1: (pos(t.id)[2] + t.shape[2]) / f - ext.lo[2], y1: (pos(t.id)[0] + t.shape[0]) / f - ext.lo[0] })),
      });
    }
  }
  return out;
}

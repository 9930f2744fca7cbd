import type { Vec3 } from '../geometry/box.js';
import type { RowRegion } from './_row-region.js';

export interface SliceWindow {
  /** Start of the one-plane view in the global frame. */
  start: Vec3;
  /** [1, h, w]. */
  size: Vec3;
}

/**
 * The plane through an object's centre (z), framing its bounding box with a margin in (y, x),
 * at least `minHalf` and at most `maxHalf` voxels either side, moved inside the volume
 * [origin, origin + shape). The region is in the analysed volume's frame, whose voxel (0, 0, 0)
 * is the stitched volume's origin.
 */
export function sliceWindow(region: RowRegion, origin: Vec3, shape: Vec3, minHalf = 24, maxHalf = 256): SliceWindow {
  const z = Math.min(shape[0] - 1, Math.max(0, Math.round(region.center[0])));
  const start: Vec3 = [origin[0] + z, 0, 0];
  const size: Vec3 = [1, 0, 0];
  for (const a of [1, 2] as const) {
    const half = Math.min(maxHalf, Math.max(minHalf, Math.ceil(((region.hi[a] - region.lo[a]) / 2) * 1.25) + 4));
    const len = Math.min(shape[a], 2 * half);
    const lo = Math.min(shape[a] - len, Math.max(0, Math.round(region.center[a]) - half));
    start[a] = origin[a] + lo;
    size[a] = len;
  }
  return { start, size };
}

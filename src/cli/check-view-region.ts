import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';

/** Voxels one view may hold: a JavaScript typed array's limit, far above any sensible view. */
export const MAX_VIEW_VOXELS = 2 ** 31 - 1;

export interface ViewExtent {
  lo: Vec3;
  shape: Vec3;
}

/**
 * Check a view request before any read: a size that cannot be allocated is an error naming the
 * size and the limit; a region that misses the volume entirely returns a warning (it is all fill).
 */
export function checkViewRegion(pos: Vec3, size: Vec3, extent: ViewExtent): string | undefined {
  const voxels = size[0] * size[1] * size[2];
  if (voxels > MAX_VIEW_VOXELS) {
    throw new StitchgraphError('InputError', `Cannot make a view of --size ${size.join(',')}: ${voxels.toExponential(2)} voxels is more than one view can hold (${MAX_VIEW_VOXELS}); use \`stitchgraph fuse\` for the whole volume, or a smaller --size / a coarser --level`);
  }
  const misses = [0, 1, 2].some((a) => pos[a] + size[a] <= extent.lo[a] || pos[a] >= extent.lo[a] + extent.shape[a]);
  if (!misses) return undefined;
  const hi = extent.lo.map((l, a) => l + extent.shape[a]);
  return `the region [${pos.join(',')}] + [${size.join(',')}] lies entirely outside the volume [${extent.lo.join(',')}]..[${hi.join(',')}): the view is all fill value`;
}

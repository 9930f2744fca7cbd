/**
 * The resolution levels of a tile as registration reads them: the tile's pyramid levels where they
 * exist, and any coarser power-of-two level block-averaged on the fly from the finest level that
 * divides it (`TileArray.readRegion` with `downsample` averages chunk by chunk, so no level is ever
 * held at a finer resolution than asked).
 *
 * Convention (as the pyramids): level voxel j is the mean of level-0 voxels [j·f, (j+1)·f), its
 * centre at level-0 coordinate (j + 0.5)·f − 0.5.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import type { Region } from '../zarrio/tile-array.js';

export interface LevelSource {
  /** Level-0 voxels per level voxel (z, y, x). */
  factors: Vec3;
  /** Shape of the level. */
  shape: Vec3;
  /** A box in level coordinates, inside `shape`. */
  readRegion(box: Box3): Promise<Region>;
}

export interface LevelSourceBase {
  factors: Vec3;
  shape: Vec3;
  readRegion(box: Box3, options?: { downsample?: Vec3 }): Promise<Region>;
}

const divides = (fine: Vec3, coarse: Vec3): boolean => fine.every((f, ax) => coarse[ax] % f === 0);

/** The level with these factors: a stored one when it exists, else averaged from the finest stored level that divides them. */
export function tileLevel(stored: readonly LevelSourceBase[], factors: Vec3): LevelSource {
  const exact = stored.find((l) => l.factors.every((f, ax) => f === factors[ax]));
  if (exact) return { factors: [...exact.factors], shape: [...exact.shape], readRegion: (box) => exact.readRegion(box) };
  // The coarsest stored level that divides the factors reads the fewest bytes.
  const base = [...stored].reverse().find((l) => divides(l.factors, factors)) ?? stored[0];
  const by = [0, 1, 2].map((ax) => Math.max(1, Math.round(factors[ax] / base.factors[ax]))) as Vec3;
  const shape = [0, 1, 2].map((ax) => Math.ceil(base.shape[ax] / by[ax])) as Vec3;
  return {
    factors: [0, 1, 2].map((ax) => base.factors[ax] * by[ax]) as Vec3,
    shape,
    readRegion(box: Box3): Promise<Region> {
      const start = [0, 1, 2].map((ax) => box.start[ax] * by[ax]) as Vec3;
      const size = [0, 1, 2].map((ax) => Math.min(base.shape[ax], (box.start[ax] + box.size[ax]) * by[ax]) - start[ax]) as Vec3;
      return base.readRegion({ start, size }, { downsample: by });
    },
  };
}

/**
 * Factors of levels 0, 1, 2, …: the stored levels' first, then 2× per axis per level, never along
 * a flat axis, and not beyond the point where an axis has fewer than `minExtent` level voxels in
 * `extent`.
 */
export function levelFactors(extent: Vec3, stored: readonly Vec3[] = [[1, 1, 1]], minExtent = 4, maxLevels = 12): Vec3[] {
  const out: Vec3[] = stored.length > 0 ? stored.map((f) => [...f] as Vec3) : [[1, 1, 1]];
  for (let k = out.length; k < maxLevels; k++) {
    const prev = out[k - 1];
    const next = [0, 1, 2].map((ax) => (extent[ax] > 1 && extent[ax] / (prev[ax] * 2) >= minExtent ? prev[ax] * 2 : prev[ax])) as Vec3;
    if (next.every((f, ax) => f === prev[ax])) break;
    out.push(next);
  }
  return out;
}

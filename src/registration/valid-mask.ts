/**
 * Which voxels of a region carry image: not NaN, not the tile's fill value, and (for reconstructed
 * tomography, `field_of_view: cylinder`) inside the circle inscribed in the tile's (y, x) extent.
 * Registration uses it so that the empty corners of a scan never produce a match.
 */
import type { Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';

export interface ValidMaskOptions {
  /** Where the region starts in the tile (for the cylinder test). @default [0, 0, 0] */
  regionStart?: Vec3;
  /** The whole tile's shape (the cylinder is inscribed in its (y, x) extent). @default the region's shape */
  tileShape?: Vec3;
  /** @default 'full' */
  fieldOfView?: 'full' | 'cylinder';
  /** Voxels equal to this carry no image. @default none */
  fillValue?: number;
}

function hasNaN(data: TileTypedArray | Float32Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== data[i]) return true;
  return false;
}

/** A mask (1 = valid) of the region, or null when every voxel is valid (the fast path). */
export function validMask(data: TileTypedArray | Float32Array, shape: Vec3, opts: ValidMaskOptions = {}): Uint8Array | null {
  const { regionStart = [0, 0, 0], tileShape = shape, fieldOfView = 'full', fillValue } = opts;
  const [d, h, w] = shape;
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;
  const hasFill = fillValue !== undefined && Number.isFinite(fillValue);
  // Integers are never NaN: with no fill value and a full field of view every voxel is valid,
  // known without a pass over the data (this runs on every box of every pair job).
  if (!isFloat && !hasFill && fieldOfView === 'full') return null;
  // Floats (block means of a coarse level mostly): a scan for NaN, no mask allocated unless one is found.
  if (!hasFill && fieldOfView === 'full' && !hasNaN(data)) return null;
  const mask = new Uint8Array(d * h * w);
  let invalid = 0;
  const cy = (tileShape[1] - 1) / 2, cx = (tileShape[2] - 1) / 2;
  const r2 = (Math.min(tileShape[1], tileShape[2]) / 2) ** 2;
  for (let k = 0, o = 0; k < d; k++)
    for (let j = 0; j < h; j++) {
      const dy2 = (regionStart[1] + j - cy) ** 2;
      for (let i = 0; i < w; i++, o++) {
        const v = data[o];
        let ok = !(isFloat && Number.isNaN(v)) && !(hasFill && v === fillValue);
        if (ok && fieldOfView === 'cylinder' && dy2 + (regionStart[2] + i - cx) ** 2 > r2) ok = false;
        if (ok) mask[o] = 1;
        else invalid++;
      }
    }
  return invalid === 0 ? null : mask;
}

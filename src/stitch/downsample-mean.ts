import type { Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';

/**
 * One pyramid step: the mean of `factor` blocks (factor 1 or 2 per axis), counting only the
 * children that lie inside the parent level's extent, so that the pyramid's border voxels are not
 * darkened by voxels beyond the volume. Output voxels with no child inside get `fillValue`.
 *
 * `start` is the input region's start in the finer level's global frame (a multiple of `factor`);
 * the output covers `start / factor` with `ceil(size / factor)` voxels, in `into` when given
 * (every voxel written) or a fresh array.
 */
export function downsampleMean(data: Float32Array | TileTypedArray, start: Vec3, size: Vec3, factor: Vec3, extentLo: Vec3, extentHi: Vec3, fillValue: number, into?: Float32Array): { data: Float32Array; shape: Vec3 } {
  const shape: Vec3 = [0, 1, 2].map((a) => Math.ceil(size[a] / factor[a])) as Vec3;
  const [D, H, W] = shape;
  // Per axis and output index: the first child inside the extent and how many there are (0..factor).
  const children = (a: number, n: number) => {
    const first = new Int32Array(n), count = new Int32Array(n);
    for (let q = 0; q < n; q++) {
      first[q] = -1;
      for (let k = q * factor[a]; k < Math.min(size[a], (q + 1) * factor[a]); k++) {
        const g = start[a] + k;
        if (g < extentLo[a] || g >= extentHi[a]) continue;
        if (first[q] < 0) first[q] = k;
        count[q]++;
      }
    }
    return { first, count };
  };
  const cz = children(0, D), cy = children(1, H), cx = children(2, W);
  if (into && into.length !== D * H * W) throw new RangeError(`downsampleMean: the array given holds ${into.length} voxels, the output ${D * H * W}`);
  const out = into ?? new Float32Array(D * H * W);
  // Gathered per output row: each voxel's children summed in C order (z, y, x), as the scatter of
  // the children into float64 sums did, so the means are the same to the bit.
  const row = new Float64Array(W);
  const sy = size[2], sz = size[1] * size[2];
  for (let oz = 0; oz < D; oz++)
    for (let oy = 0; oy < H; oy++) {
      const o0 = (oz * H + oy) * W;
      const nzy = cz.count[oz] * cy.count[oy];
      if (nzy === 0) {
        out.fill(fillValue, o0, o0 + W);
        continue;
      }
      row.fill(0);
      for (let dz = 0; dz < cz.count[oz]; dz++)
        for (let dy = 0; dy < cy.count[oy]; dy++) {
          const base = (cz.first[oz] + dz) * sz + (cy.first[oy] + dy) * sy;
          addChildRow(data, base, cx.first, cx.count, row);
        }
      for (let ox = 0; ox < W; ox++) {
        const n = nzy * cx.count[ox];
        out[o0 + ox] = n ? row[ox] / n : fillValue;
      }
    }
  return { data: out, shape };
}

/** The children along x of each output voxel of a row, added into its sums. */
function addChildRow(data: Float32Array | TileTypedArray, base: number, first: Int32Array, count: Int32Array, row: Float64Array): void {
  const W = row.length;
  for (let ox = 0; ox < W; ox++) {
    const c = count[ox];
    if (c === 0) continue;
    const at = base + first[ox];
    if (c === 2) row[ox] = row[ox] + data[at] + data[at + 1];
    else for (let i = 0; i < c; i++) row[ox] += data[at + i];
  }
}

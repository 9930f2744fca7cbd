import type { Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';

/**
 * One pyramid step: the mean of `factor` blocks (factor 1 or 2 per axis), counting only the
 * children that lie inside the parent level's extent, so that the pyramid's border voxels are not
 * darkened by voxels beyond the volume. Output voxels with no child inside get `fillValue`.
 *
 * `start` is the input region's start in the finer level's global frame (a multiple of `factor`);
 * the output covers `start / factor` with `ceil(size / factor)` voxels.
 */
export function downsampleMean(data: Float32Array | TileTypedArray, start: Vec3, size: Vec3, factor: Vec3, extentLo: Vec3, extentHi: Vec3, fillValue: number): { data: Float32Array; shape: Vec3 } {
  const shape: Vec3 = [0, 1, 2].map((a) => Math.ceil(size[a] / factor[a])) as Vec3;
  const [D, H, W] = shape;
  const sum = new Float64Array(D * H * W);
  const cnt = new Uint16Array(D * H * W);
  // Per-axis: output index of each input index, or -1 where the input voxel lies outside the extent.
  const map = (a: number) => {
    const m = new Int32Array(size[a]);
    for (let k = 0; k < size[a]; k++) {
      const g = start[a] + k;
      m[k] = g < extentLo[a] || g >= extentHi[a] ? -1 : Math.floor(k / factor[a]);
    }
    return m;
  };
  const mz = map(0), my = map(1), mx = map(2);
  for (let k = 0, o = 0; k < size[0]; k++) {
    const oz = mz[k];
    for (let j = 0; j < size[1]; j++) {
      const oy = my[j];
      if (oz < 0 || oy < 0) {
        o += size[2];
        continue;
      }
      const base = (oz * H + oy) * W;
      for (let i = 0; i < size[2]; i++, o++) {
        const ox = mx[i];
        if (ox < 0) continue;
        sum[base + ox] += data[o];
        cnt[base + ox]++;
      }
    }
  }
  const out = new Float32Array(D * H * W);
  for (let o = 0; o < out.length; o++) out[o] = cnt[o] ? sum[o] / cnt[o] : fillValue;
  return { data: out, shape };
}

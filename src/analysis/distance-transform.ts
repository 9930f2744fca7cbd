/**
 * Exact anisotropic Euclidean distance transform by separable lower envelopes of parabolas
 * (Felzenszwalb & Huttenlocher 2012, "Distance transforms of sampled functions", Theory of
 * Computing 8:415–428, doi:10.4086/toc.2012.v008a019; the separable decomposition of Saito &
 * Toriwaki 1994, Pattern Recognition 27(11):1551–1565, doi:10.1016/0031-3203(94)90133-3).
 *
 * Each voxel gets the distance, in µm (from `voxelSize`), from its centre to the centre of the
 * nearest background (zero) voxel; background voxels get 0. Outside the array is not background
 * (as scipy.ndimage.distance_transform_edt), so a structure cut by the array's edge keeps its radius.
 */
import type { Vec3 } from '../geometry/box.js';

/** One 1-D pass over `n` samples of f (squared distances) with spacing `s`, in place via scratch. */
function envelope1d(f: Float64Array, n: number, s2: number, v: Int32Array, zb: Float64Array, out: Float64Array): void {
  // f[q] = Infinity means "no site". Parabola q: s2 * (p - q)^2 + f[q].
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q];
    if (fq === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      zb[0] = -Infinity;
      continue;
    }
    for (;;) {
      const r = v[k];
      const sx = (fq + s2 * q * q - (f[r] + s2 * r * r)) / (2 * s2 * (q - r));
      if (sx <= zb[k]) {
        k--;
        if (k < 0) break;
      } else {
        k++;
        v[k] = q;
        zb[k] = sx;
        break;
      }
    }
    if (k < 0) {
      k = 0;
      v[0] = q;
      zb[0] = -Infinity;
    }
  }
  if (k < 0) {
    for (let p = 0; p < n; p++) out[p] = Infinity;
    return;
  }
  let j = 0;
  for (let p = 0; p < n; p++) {
    while (j < k && zb[j + 1] < p) j++;
    const r = v[j];
    out[p] = s2 * (p - r) * (p - r) + f[r];
  }
}

/**
 * Squared distances (µm²) to the nearest zero voxel of `mask`; Infinity where the array holds no
 * background at all.
 */
export function distanceTransformSquared(mask: Uint8Array, shape: Vec3, voxelSize: Vec3 = [1, 1, 1]): Float32Array {
  const [d, h, w] = shape;
  const n = d * h * w;
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) out[o] = mask[o] === 0 ? 0 : Infinity;
  const m = Math.max(d, h, w);
  const f = new Float64Array(m), g = new Float64Array(m), zb = new Float64Array(m + 1);
  const v = new Int32Array(m);
  const pass = (len: number, stride: number, s: number, starts: () => Iterable<number>) => {
    const s2 = s * s;
    for (const base of starts()) {
      for (let i = 0, o = base; i < len; i++, o += stride) f[i] = out[o];
      envelope1d(f, len, s2, v, zb, g);
      for (let i = 0, o = base; i < len; i++, o += stride) out[o] = g[i];
    }
  };
  function* rowsX() {
    for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) yield (z * h + y) * w;
  }
  function* rowsY() {
    for (let z = 0; z < d; z++) for (let x = 0; x < w; x++) yield z * h * w + x;
  }
  function* rowsZ() {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) yield y * w + x;
  }
  pass(w, 1, voxelSize[2], rowsX);
  if (h > 1) pass(h, w, voxelSize[1], rowsY);
  if (d > 1) pass(d, h * w, voxelSize[0], rowsZ);
  return out;
}

/** Distances (µm) to the nearest zero voxel: the square root of {@link distanceTransformSquared}. */
export function distanceTransform(mask: Uint8Array, shape: Vec3, voxelSize: Vec3 = [1, 1, 1]): Float32Array {
  const sq = distanceTransformSquared(mask, shape, voxelSize);
  for (let o = 0; o < sq.length; o++) sq[o] = Math.sqrt(sq[o]);
  return sq;
}

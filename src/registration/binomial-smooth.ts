/**
 * Separable binomial smoothing [1 4 6 4 1]/16 (≈ Gaussian, σ = 1 voxel) of a masked region, as
 * normalised convolution: only valid voxels contribute and each output is divided by the weight it
 * received, so the empty corners of a tomogram do not bleed in. Registration smooths both regions
 * the same way before scoring candidate shifts by NCC: a common convolution does not move the
 * correlation peak, but it removes most of the white noise that would otherwise shift the maximum
 * along weakly constrained directions. Knutsson & Westin (1993), normalised convolution,
 * doi:10.1109/CVPR.1993.341081.
 */
import type { Vec3 } from '../geometry/box.js';

const TAPS = [1, 4, 6, 4, 1];

/** A smoothed copy of `data` (invalid voxels stay 0). Axes shorter than 5 voxels are left alone. */
export function binomialSmooth(data: Float32Array, shape: Vec3, mask: Uint8Array | null): Float32Array {
  const n = data.length;
  let val = new Float32Array(n);
  let wgt = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const m = mask ? mask[o] : 1;
    val[o] = m ? data[o] : 0;
    wgt[o] = m;
  }
  let tv = new Float32Array(n);
  let tw = new Float32Array(n);
  const strides: Vec3 = [shape[1] * shape[2], shape[2], 1];
  for (let ax = 0; ax < 3; ax++) {
    const len = shape[ax];
    if (len < 5) continue;
    const st = strides[ax];
    for (let o = 0; o < n; o++) {
      const pos = Math.floor(o / st) % len;
      let sv = 0, sw = 0;
      for (let k = -2; k <= 2; k++) {
        const p = pos + k;
        if (p < 0 || p >= len) continue;
        const q = o + k * st;
        sv += TAPS[k + 2] * val[q];
        sw += TAPS[k + 2] * wgt[q];
      }
      tv[o] = sv;
      tw[o] = sw;
    }
    [val, tv] = [tv, val];
    [wgt, tw] = [tw, wgt];
  }
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) if ((!mask || mask[o]) && wgt[o] > 0) out[o] = val[o] / wgt[o];
  return out;
}

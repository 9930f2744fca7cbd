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
  const [d, h, w] = shape;
  // One pass per axis: for each line along the axis, a 5-tap sum clipped at the line's ends.
  const axes: { len: number; stride: number; lines: number; lineStart: (l: number) => number }[] = [
    { len: d, stride: h * w, lines: h * w, lineStart: (l) => l },
    { len: h, stride: w, lines: d * w, lineStart: (l) => Math.floor(l / w) * h * w + (l % w) },
    { len: w, stride: 1, lines: d * h, lineStart: (l) => l * w },
  ];
  for (const { len, stride, lines, lineStart } of axes) {
    if (len < 5) continue;
    for (let l = 0; l < lines; l++) {
      const o0 = lineStart(l);
      for (let p = 0, o = o0; p < len; p++, o += stride) {
        let sv = 6 * val[o], sw = 6 * wgt[o];
        if (p >= 1) {
          sv += 4 * val[o - stride];
          sw += 4 * wgt[o - stride];
          if (p >= 2) {
            sv += val[o - 2 * stride];
            sw += wgt[o - 2 * stride];
          }
        }
        if (p + 1 < len) {
          sv += 4 * val[o + stride];
          sw += 4 * wgt[o + stride];
          if (p + 2 < len) {
            sv += val[o + 2 * stride];
            sw += wgt[o + 2 * stride];
          }
        }
        tv[o] = sv;
        tw[o] = sw;
      }
    }
    [val, tv] = [tv, val];
    [wgt, tw] = [tw, wgt];
  }
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) if ((!mask || mask[o]) && wgt[o] > 0) out[o] = val[o] / wgt[o];
  return out;
}

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
  if (!mask) return smoothDense(data, shape);
  const n = data.length;
  let val = new Float32Array(n);
  let wgt = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const m = mask[o];
    val[o] = m ? data[o] : 0;
    wgt[o] = m;
  }
  let tv = new Float32Array(n);
  let tw = new Float32Array(n);
  for (const { len, stride, lines, lineStart } of axisLines(shape)) {
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
  for (let o = 0; o < n; o++) if (mask[o] && wgt[o] > 0) out[o] = val[o] / wgt[o];
  return out;
}

/** Lines along each axis (z, y, x) of a C-order volume: length, stride, count and first index. */
function axisLines(shape: Vec3): { len: number; stride: number; lines: number; lineStart: (l: number) => number }[] {
  const [d, h, w] = shape;
  return [
    { len: d, stride: h * w, lines: h * w, lineStart: (l) => l },
    { len: h, stride: w, lines: d * w, lineStart: (l) => Math.floor(l / w) * h * w + (l % w) },
    { len: w, stride: 1, lines: d * h, lineStart: (l) => l * w },
  ];
}

/**
 * All voxels valid: the weights at a line's ends are known, so no weight volume is carried. The z
 * and y passes combine whole planes / rows (contiguous inner loops, cache friendly).
 */
function smoothDense(data: Float32Array, shape: Vec3): Float32Array {
  const [d, h, w] = shape;
  let src: Float32Array = data;
  let buf: Float32Array = new Float32Array(data.length);
  let spare: Float32Array | null = null;
  const swap = (): void => {
    const next: Float32Array = spare ?? new Float32Array(data.length);
    spare = src === data ? null : src;
    src = buf;
    buf = next;
  };
  // z then y: `outer` blocks of `len` slices of `chunk` contiguous voxels.
  for (const [len, chunk, outer] of [
    [d, h * w, 1],
    [h, w, d],
  ] as const) {
    if (len < 5) continue;
    for (let o = 0; o < outer; o++) {
      const base = o * len * chunk;
      for (let p = 0; p < len; p++) {
        const taps: [number, number][] = [];
        for (let k = -2; k <= 2; k++) if (p + k >= 0 && p + k < len) taps.push([p + k, [1, 4, 6, 4, 1][k + 2]]);
        const norm = 1 / taps.reduce((acc, [, c]) => acc + c, 0);
        const dst0 = base + p * chunk;
        if (taps.length === 5) {
          const s0 = base + (p - 2) * chunk, s1 = s0 + chunk, s2 = s1 + chunk, s3 = s2 + chunk, s4 = s3 + chunk;
          for (let i = 0; i < chunk; i++) buf[dst0 + i] = (src[s0 + i] + src[s4 + i] + 4 * (src[s1 + i] + src[s3 + i]) + 6 * src[s2 + i]) * 0.0625;
        } else {
          for (let i = 0; i < chunk; i++) {
            let v = 0;
            for (const [q, c] of taps) v += c * src[base + q * chunk + i];
            buf[dst0 + i] = v * norm;
          }
        }
      }
    }
    swap();
  }
  if (w >= 5) {
    for (let l = 0; l < d * h; l++) {
      const o0 = l * w;
      for (let p = 0, o = o0; p < w; p++, o++) {
        if (p >= 2 && p + 2 < w) {
          buf[o] = (src[o - 2] + src[o + 2] + 4 * (src[o - 1] + src[o + 1]) + 6 * src[o]) * 0.0625;
          continue;
        }
        let sv = 6 * src[o], sw = 6;
        if (p >= 1) {
          sv += 4 * src[o - 1];
          sw += 4;
          if (p >= 2) {
            sv += src[o - 2];
            sw += 1;
          }
        }
        if (p + 1 < w) {
          sv += 4 * src[o + 1];
          sw += 4;
          if (p + 2 < w) {
            sv += src[o + 2];
            sw += 1;
          }
        }
        buf[o] = sv / sw;
      }
    }
    swap();
  }
  return src === data ? Float32Array.from(data) : src;
}

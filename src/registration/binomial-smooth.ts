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
import { registrationKernels as kernels } from './wasm/registration-kernels.js';

/** A box of a region: first voxel and extent (z, y, x). */
export interface SmoothBox {
  lo: Vec3;
  size: Vec3;
}

/**
 * A smoothed copy of `data` (invalid voxels stay 0). Axes shorter than 5 voxels are left alone.
 * With `box`, only the voxels inside it are guaranteed (outside it the copy is 0, or smoothed too
 * when the box covers most of the region); they equal the smoothing of the whole region, because
 * the box is extended by the kernel's radius first.
 */
export function binomialSmooth(data: Float32Array, shape: Vec3, mask: Uint8Array | null, box?: SmoothBox): Float32Array {
  // A box covering most of the region: smoothing it all is cheaper than extracting the box.
  if (!box || box.size.reduce((p, v, ax) => p * Math.min(v, shape[ax]), 1) > 0.8 * data.length) return smoothWhole(data, shape, mask);
  const [, h, w] = shape;
  const lo: Vec3 = [0, 0, 0], hi: Vec3 = [0, 0, 0], elo: Vec3 = [0, 0, 0], es: Vec3 = [0, 0, 0];
  for (let ax = 0; ax < 3; ax++) {
    lo[ax] = Math.max(0, box.lo[ax]);
    hi[ax] = Math.min(shape[ax], box.lo[ax] + box.size[ax]);
    if (hi[ax] <= lo[ax]) return new Float32Array(data.length);
    // The kernel's radius, unless the axis is too short to be smoothed at all.
    const r = shape[ax] >= 5 ? 2 : shape[ax];
    elo[ax] = Math.max(0, lo[ax] - r);
    es[ax] = Math.min(shape[ax], hi[ax] + r) - elo[ax];
  }
  // An axis of the sub-box shorter than 5 where the region's is not: smooth it as the region does.
  if (!es.every((v, ax) => v >= 5 || shape[ax] < 5)) return smoothWhole(data, shape, mask);
  const [ed, eh, ew] = es;
  // The result in the kernels' heap (the gradient step then runs in WebAssembly), the sub-box and
  // its smoothing after it, given back once copied.
  const out = kernels ? kernels.f32(data.length) : new Float32Array(data.length);
  const mark = kernels?.mark();
  const sub = kernels ? kernels.f32(ed * eh * ew) : new Float32Array(ed * eh * ew);
  const subMask = mask ? new Uint8Array(sub.length) : null;
  for (let k = 0; k < ed; k++)
    for (let j = 0; j < eh; j++) {
      const o = ((elo[0] + k) * h + elo[1] + j) * w + elo[2];
      const q = (k * eh + j) * ew;
      sub.set(data.subarray(o, o + ew), q);
      if (mask && subMask) subMask.set(mask.subarray(o, o + ew), q);
    }
  const sm = smoothWhole(sub, es, subMask);
  for (let k = lo[0]; k < hi[0]; k++)
    for (let j = lo[1]; j < hi[1]; j++) {
      const q = ((k - elo[0]) * eh + j - elo[1]) * ew + lo[2] - elo[2];
      out.set(sm.subarray(q, q + hi[2] - lo[2]), (k * h + j) * w + lo[2]);
    }
  if (kernels && mark !== undefined) kernels.rewind(mark);
  return out;
}

function smoothWhole(data: Float32Array, shape: Vec3, mask: Uint8Array | null): Float32Array {
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
 * One line of the normalised kernel, `len` ≥ 5 samples `stride` apart, from `src` at `s0` into
 * `dst` at `d0`, for `count` neighbouring lines (`step` apart; contiguous inner loops when the
 * lines are the columns of a plane). The ends use the kernel clipped and renormalised.
 */
function smoothLines(src: Float32Array, s0: number, dst: Float32Array, d0: number, len: number, stride: number, count: number, step: number): void {
  for (let p = 0; p < len; p++) {
    const sp = s0 + p * stride, dp = d0 + p * stride;
    if (p >= 2 && p + 2 < len) {
      const m2 = sp - 2 * stride, m1 = sp - stride, p1 = sp + stride, p2 = sp + 2 * stride;
      for (let c = 0, o = 0; c < count; c++, o += step) dst[dp + o] = (src[m2 + o] + src[p2 + o] + 4 * (src[m1 + o] + src[p1 + o]) + 6 * src[sp + o]) * 0.0625;
      continue;
    }
    // Clipped at an end: taps of [1 4 6 4 1] that fall inside, over their sum.
    const c0 = p >= 2 ? 1 : 0, c1 = p >= 1 ? 4 : 0, c3 = p + 1 < len ? 4 : 0, c4 = p + 2 < len ? 1 : 0;
    const norm = 1 / (c0 + c1 + 6 + c3 + c4);
    const m2 = c0 ? sp - 2 * stride : sp, m1 = c1 ? sp - stride : sp, p1 = c3 ? sp + stride : sp, p2 = c4 ? sp + 2 * stride : sp;
    for (let c = 0, o = 0; c < count; c++, o += step) dst[dp + o] = (c0 * src[m2 + o] + c1 * src[m1 + o] + 6 * src[sp + o] + c3 * src[p1 + o] + c4 * src[p2 + o]) * norm;
  }
}

/** One contiguous line of `len` ≥ 5 samples (the interior in one tight loop). */
function smoothRow(src: Float32Array, s0: number, dst: Float32Array, d0: number, len: number): void {
  const a0 = src[s0], a1 = src[s0 + 1], a2 = src[s0 + 2], a3 = src[s0 + 3];
  dst[d0] = (6 * a0 + 4 * a1 + a2) / 11;
  dst[d0 + 1] = (4 * a0 + 6 * a1 + 4 * a2 + a3) / 15;
  for (let i = 2; i < len - 2; i++) {
    const o = s0 + i;
    dst[d0 + i] = (src[o - 2] + src[o + 2] + 4 * (src[o - 1] + src[o + 1]) + 6 * src[o]) * 0.0625;
  }
  const e = s0 + len - 1;
  const b0 = src[e], b1 = src[e - 1], b2 = src[e - 2], b3 = src[e - 3];
  dst[d0 + len - 1] = (6 * b0 + 4 * b1 + b2) / 11;
  dst[d0 + len - 2] = (4 * b0 + 6 * b1 + 4 * b2 + b3) / 15;
}

/**
 * All voxels valid: the weights at a line's ends are known, so no weight volume is carried. The
 * volume streams through once: each plane is smoothed along x and y into a ring of 5 planes (in
 * cache), and each output plane combines 5 of them along z.
 */
function smoothDense(data: Float32Array, shape: Vec3): Float32Array {
  const [d, h, w] = shape;
  if (kernels && d >= 5 && h >= 5 && w >= 8 && kernels.holds(data)) {
    const out = kernels.smoothDense(data, d, h, w);
    if (out) return out;
  }
  const plane = h * w;
  const out = new Float32Array(data.length);
  const tmp = new Float32Array(plane);
  const xy = (k: number, dst: Float32Array, d0: number): void => {
    const s0 = k * plane;
    let src = data, base = s0;
    if (w >= 5) {
      // x: the rows are the lines; one row at a time.
      for (let j = 0; j < h; j++) smoothRow(data, s0 + j * w, tmp, j * w, w);
      src = tmp;
      base = 0;
    }
    if (h >= 5) smoothLines(src, base, dst, d0, h, w, w, 1);
    else if (src !== dst || base !== d0) dst.set(src.subarray(base, base + plane), d0);
  };
  if (d < 5) {
    for (let k = 0; k < d; k++) xy(k, out, k * plane);
    return out;
  }
  const ring = Array.from({ length: 5 }, () => new Float32Array(plane));
  // Planes k - 2 .. k + 2 of the xy-smoothed volume live in ring[(k + 2) % 5] etc.
  const slot = (k: number): Float32Array => ring[k % 5];
  for (let k = 0; k < Math.min(2, d); k++) xy(k, slot(k), 0);
  for (let k = 0; k < d; k++) {
    if (k + 2 < d) xy(k + 2, slot(k + 2), 0);
    const c0 = k >= 2 ? 1 : 0, c1 = k >= 1 ? 4 : 0, c3 = k + 1 < d ? 4 : 0, c4 = k + 2 < d ? 1 : 0;
    const norm = 1 / (c0 + c1 + 6 + c3 + c4);
    const q2 = slot(k);
    const q0 = c0 ? slot(k - 2) : q2, q1 = c1 ? slot(k - 1) : q2, q3 = c3 ? slot(k + 1) : q2, q4 = c4 ? slot(k + 2) : q2;
    const ob = k * plane;
    for (let i = 0; i < plane; i++) out[ob + i] = (c0 * q0[i] + c1 * q1[i] + 6 * q2[i] + c3 * q3[i] + c4 * q4[i]) * norm;
  }
  return out;
}

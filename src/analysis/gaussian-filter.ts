/**
 * Separable Gaussian smoothing of a 3-D volume, kernel truncated at 4 σ (scipy's default),
 * edges clamped (nearest). Output voxels farther than `gaussianRadius(sigma)` from the array's edge
 * do not depend on the edge rule, which is what makes block-wise smoothing with that halo equal
 * the whole-volume result: every voxel sums the same terms in the same order.
 */
import type { Vec3 } from '../geometry/box.js';

export function gaussianRadius(sigma: number): number {
  return sigma > 0 ? Math.ceil(4 * sigma) : 0;
}

export function gaussianFilter(data: ArrayLike<number>, shape: Vec3, sigma: number): Float32Array {
  const [d, h, w] = shape;
  const out = Float32Array.from(data as ArrayLike<number>);
  const r = gaussianRadius(sigma);
  if (r === 0) return out;
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  const m = Math.max(d, h, w);
  const line = new Float64Array(m);
  const pass = (len: number, stride: number, count: number, baseOf: (i: number) => number) => {
    if (len === 1) return;
    for (let c = 0; c < count; c++) {
      const base = baseOf(c);
      for (let i = 0, o = base; i < len; i++, o += stride) line[i] = out[o];
      for (let i = 0, o = base; i < len; i++, o += stride) {
        let acc = 0;
        for (let t = -r; t <= r; t++) {
          let j = i + t;
          if (j < 0) j = 0;
          else if (j >= len) j = len - 1;
          acc += k[t + r] * line[j];
        }
        out[o] = acc;
      }
    }
  };
  pass(w, 1, d * h, (i) => i * w);
  pass(h, w, d * w, (i) => Math.floor(i / w) * h * w + (i % w));
  pass(d, h * w, h * w, (i) => i);
  return out;
}

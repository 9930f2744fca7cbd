/**
 * Block-average downsampling of a masked region: each output voxel is the mean of the valid voxels
 * of its block (a partial block at the far edge is dropped, so every output voxel stands for the
 * same extent). A block with no valid voxel is invalid.
 */
import type { Vec3 } from '../geometry/box.js';
import { registrationKernels as kernels } from './wasm/registration-kernels.js';

export interface Downsampled {
  data: Float32Array;
  shape: Vec3;
  /** 1 = at least one valid voxel in the block; null when all are valid. */
  mask: Uint8Array | null;
}

export function blockAverage(data: Float32Array, shape: Vec3, mask: Uint8Array | null, factors: Vec3): Downsampled {
  if (factors[0] === 1 && factors[1] === 1 && factors[2] === 1) return { data, shape: [...shape], mask };
  const f: Vec3 = [0, 1, 2].map((a) => Math.max(1, Math.min(factors[a], shape[a]))) as Vec3;
  const out: Vec3 = [0, 1, 2].map((a) => Math.floor(shape[a] / f[a])) as Vec3;
  const [od, oh, ow] = out;
  const n = od * oh * ow;
  const [, h, w] = shape;
  if (!mask && f[2] === 2 && kernels?.holds(data)) {
    const res = kernels.blockAverageX2(data, shape, f[0], f[1]);
    if (res) return { data: res, shape: out, mask: null };
  }
  if (!mask) {
    // Every voxel valid: all blocks are full, the sums need no counts and no per-voxel division.
    const inv = 1 / (f[0] * f[1] * f[2]);
    const res = new Float32Array(n);
    const row = new Float64Array(ow);
    const fx = f[2];
    for (let ok = 0; ok < od; ok++)
      for (let oj = 0; oj < oh; oj++) {
        row.fill(0);
        for (let k = ok * f[0]; k < (ok + 1) * f[0]; k++)
          for (let j = oj * f[1]; j < (oj + 1) * f[1]; j++) {
            const rowIn = (k * h + j) * w;
            if (fx === 1) for (let i = 0; i < ow; i++) row[i] += data[rowIn + i];
            else if (fx === 2) for (let i = 0, s = rowIn; i < ow; i++, s += 2) row[i] += data[s] + data[s + 1];
            else for (let i = 0, s = rowIn; i < ow; i++) for (let q = 0; q < fx; q++, s++) row[i] += data[s];
          }
        const ob = (ok * oh + oj) * ow;
        for (let i = 0; i < ow; i++) res[ob + i] = row[i] * inv;
      }
    return { data: res, shape: out, mask: null };
  }
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  for (let k = 0; k < od * f[0]; k++) {
    const ok = Math.floor(k / f[0]);
    for (let j = 0; j < oh * f[1]; j++) {
      const rowOut = (ok * oh + Math.floor(j / f[1])) * ow;
      const rowIn = (k * h + j) * w;
      for (let i = 0; i < ow * f[2]; i++) {
        const src = rowIn + i;
        if (mask && !mask[src]) continue;
        const dst = rowOut + Math.floor(i / f[2]);
        sum[dst] += data[src];
        cnt[dst] += 1;
      }
    }
  }
  const res = new Float32Array(n);
  let outMask: Uint8Array | null = null;
  for (let o = 0; o < n; o++) {
    if (cnt[o] > 0) res[o] = sum[o] / cnt[o];
    else {
      outMask ??= new Uint8Array(n).fill(1);
      outMask[o] = 0;
    }
  }
  return { data: res, shape: out, mask: outMask };
}

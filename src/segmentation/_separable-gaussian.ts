/**
 * Anisotropic separable Gaussian of a 3-D volume: σ is given per axis in voxels (a physical σ over
 * the voxel size), kernels truncated at 4 σ, edges clamped (nearest). A voxel farther than
 * `axisGaussianRadius(σ)` from the array's faces does not depend on the edge rule, which is what
 * makes block-wise features with that halo equal whole-volume ones.
 */
import type { Vec3 } from '../geometry/box.js';

/** Kernel half-width (voxels) for a σ in voxels along one axis; below 0.1 voxel: no smoothing. */
export function axisGaussianRadius(sigmaVox: number): number {
  return sigmaVox >= 0.1 ? Math.ceil(4 * sigmaVox) : 0;
}

/** The normalised taps of a Gaussian of σ (voxels), 2·radius + 1 of them. */
export function gaussianKernel(sigma: number): Float32Array {
  const r = axisGaussianRadius(sigma);
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Along x: each row of `w` voxels × `c` interleaved channels through a padded line buffer (edges clamped). */
function passX(out: Float32Array, rows: number, w: number, k: Float32Array, c = 1): void {
  const r = (k.length - 1) / 2;
  const rowLen = w * c;
  const line = new Float32Array(rowLen + 2 * r * c);
  for (let row = 0, base = 0; row < rows; row++, base += rowLen) {
    line.set(out.subarray(base, base + rowLen), r * c);
    for (let p = 0; p < r; p++)
      for (let ch = 0; ch < c; ch++) {
        line[p * c + ch] = out[base + ch];
        line[(w + r + p) * c + ch] = out[base + rowLen - c + ch];
      }
    // The kernel is symmetric: pair the taps at ±t to halve the multiplications.
    const kc = k[r], span = 2 * r * c;
    for (let i = 0; i < rowLen; i++) {
      let acc = kc * line[i + r * c];
      for (let t = 0, a = i, b = i + span; t < r; t++, a += c, b -= c) acc += k[t] * (line[a] + line[b]);
      out[base + i] = acc;
    }
  }
}

/**
 * Along an outer axis (y inside each z-slab, or z across the volume): whole rows (or planes) are
 * weighted and summed, so the inner loop runs over contiguous memory rather than down a column.
 */
function passOuter(out: Float32Array, outer: number, len: number, run: number, k: Float32Array): void {
  const r = (k.length - 1) / 2;
  const slab = len * run;
  const src = new Float32Array(slab);
  const acc = new Float64Array(run);
  for (let o = 0; o < outer; o++) {
    const base = o * slab;
    src.set(out.subarray(base, base + slab));
    for (let i = 0; i < len; i++) {
      const dst = base + i * run;
      const kc = k[r], c0 = i * run;
      for (let x = 0; x < run; x++) acc[x] = kc * src[c0 + x];
      // Two tap pairs per sweep: half the loads and stores of the accumulator row.
      let t = 0;
      for (; t + 1 < r; t += 2) {
        const a1 = Math.max(0, i + t - r) * run, b1 = Math.min(len - 1, i + r - t) * run, k1 = k[t];
        const a2 = Math.max(0, i + t + 1 - r) * run, b2 = Math.min(len - 1, i + r - t - 1) * run, k2 = k[t + 1];
        for (let x = 0; x < run; x++) acc[x] += k1 * (src[a1 + x] + src[b1 + x]) + k2 * (src[a2 + x] + src[b2 + x]);
      }
      for (; t < r; t++) {
        const a = Math.max(0, i + t - r) * run, b = Math.min(len - 1, i + r - t) * run, kt = k[t];
        for (let x = 0; x < run; x++) acc[x] += kt * (src[a + x] + src[b + x]);
      }
      out.set(acc, dst);
    }
  }
}

/** Smooth `data` (shape z, y, x) by a Gaussian of σ (voxels) per axis; returns a new array. */
export function separableGaussian(data: ArrayLike<number>, shape: Vec3, sigmaVox: Vec3): Float32Array {
  const [d, h, w] = shape;
  const out = Float32Array.from(data);
  if (w > 1 && axisGaussianRadius(sigmaVox[2]) > 0) passX(out, d * h, w, gaussianKernel(sigmaVox[2]));
  if (h > 1 && axisGaussianRadius(sigmaVox[1]) > 0) passOuter(out, d, h, w, gaussianKernel(sigmaVox[1]));
  if (d > 1 && axisGaussianRadius(sigmaVox[0]) > 0) passOuter(out, 1, d, h * w, gaussianKernel(sigmaVox[0]));
  return out;
}

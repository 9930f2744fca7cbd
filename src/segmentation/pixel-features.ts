/**
 * Multiscale pixel features for voxel classification (after ilastik's pixel classification and
 * scikit-image's `multiscale_basic_features`), computed in physical units so that anisotropic
 * voxels see the same structure along every axis: for each σ (µm) the Gaussian-smoothed value,
 * gradient magnitude, Laplacian of Gaussian, the three Hessian eigenvalues and the three
 * structure-tensor eigenvalues (gradients at σ, tensor smoothed at σ/2), plus the raw value.
 *
 * Features are computed over a box read with a halo (`featureHalo`) and returned for its core only,
 * so a block's features equal the whole volume's wherever the halo is clipped by nothing but the
 * volume's own faces.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { axisGaussianRadius, separableGaussian, separableGaussianChannels } from './_separable-gaussian.js';
import { gradient, hessianFromGradient } from './_finite-differences.js';
import { symmetricEigenvalues } from './_symmetric-eigenvalues.js';

export interface PixelFeatureOptions {
  /** Scales in µm (z, y, x share them; each axis converts with its voxel size). */
  sigmasUm: number[];
  voxelSize: Vec3;
}

export interface PixelFeatures {
  /** Interleaved: voxel v's feature k at `values[v * count + k]`, voxels of the core in C order. */
  values: Float32Array;
  count: number;
  names: string[];
}

const PER_SCALE = ['gauss', 'gradmag', 'log', 'hess0', 'hess1', 'hess2', 'st0', 'st1', 'st2'] as const;

/** Feature names in the order of `PixelFeatures.values`. */
export function featureNames(sigmasUm: number[]): string[] {
  return ['raw', ...sigmasUm.flatMap((s) => PER_SCALE.map((n) => `${n}_s${s}um`))];
}

/** Voxels read around a core (per axis) so that every feature of the core is exact. */
export function featureHalo(sigmasUm: number[], voxelSize: Vec3): Vec3 {
  const smax = Math.max(0, ...sigmasUm);
  // Gaussian, two nested central differences (Hessian: 2 voxels), then the tensor's own Gaussian.
  return [0, 1, 2].map((a) => axisGaussianRadius(smax / voxelSize[a]) + 2 + axisGaussianRadius(smax / 2 / voxelSize[a])) as Vec3;
}

/** Offsets of `inner` inside `outer` and the strides of `outer`. */
function placement(outer: Box3, inner: Box3): { oz: number; oy: number; ox: number; h: number; w: number } {
  return { oz: inner.start[0] - outer.start[0], oy: inner.start[1] - outer.start[1], ox: inner.start[2] - outer.start[2], h: outer.size[1], w: outer.size[2] };
}

/**
 * Calls `each(r, v)` for every core voxel: r its index in the box `outer`, v its index in the core.
 * Per-voxel work that only the core needs (eigenvalues) runs here rather than over the halo.
 */
function forCore(outer: Box3, core: Box3, each: (r: number, v: number) => void): void {
  const { oz, oy, ox, h, w } = placement(outer, core);
  const [cd, ch, cw] = core.size;
  for (let z = 0, v = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      let r = ((z + oz) * h + y + oy) * w + ox;
      for (let x = 0; x < cw; x++, v++, r++) each(r, v);
    }
}

/** The box `inner` cut out of an array over `outer`. */
function cut(src: Float32Array, outer: Box3, inner: Box3): Float32Array {
  const out = new Float32Array(inner.size[0] * inner.size[1] * inner.size[2]);
  const { oz, oy, ox, h, w } = placement(outer, inner);
  const [d, ih, iw] = inner.size;
  for (let z = 0; z < d; z++)
    for (let y = 0; y < ih; y++) {
      const s = ((z + oz) * h + y + oy) * w + ox;
      out.set(src.subarray(s, s + iw), (z * ih + y) * iw);
    }
  return out;
}

/** The box grown by `halo` per axis, clipped to `bounds`. */
function within(box: Box3, halo: Vec3, bounds: Box3): Box3 {
  const start = box.start.map((s, a) => Math.max(bounds.start[a], s - halo[a])) as Vec3;
  const size = box.start.map((s, a) => Math.min(bounds.start[a] + bounds.size[a], s + box.size[a] + halo[a]) - start[a]) as Vec3;
  return { start, size };
}

/**
 * The nine features of one scale, written for the core voxels into columns k..k+8 of `out`.
 * Smoothing and derivatives run over the box read; the structure tensor is smoothed over the core
 * plus its own kernel radius only, and eigenvalues are taken at core voxels only.
 */
function scaleFeatures(data: ArrayLike<number>, read: Box3, core: Box3, sigmaUm: number, voxelSize: Vec3, out: Float32Array, count: number, k: number): void {
  const sv = voxelSize.map((v) => sigmaUm / v) as Vec3;
  const g = separableGaussian(data, read.size, sv);
  const grad = gradient(g, read.size, voxelSize);
  const [gz, gy, gx] = grad;
  const [zz, zy, zx, yy, yx, xx] = hessianFromGradient(grad, read.size, voxelSize);
  forCore(read, core, (r, v) => {
    const o = v * count + k;
    out[o] = g[r];
    out[o + 1] = Math.sqrt(gz[r] * gz[r] + gy[r] * gy[r] + gx[r] * gx[r]);
    out[o + 2] = zz[r] + yy[r] + xx[r];
    symmetricEigenvalues(zz[r], zy[r], zx[r], yy[r], yx[r], xx[r], out, o + 3);
  });
  const outer = sv.map((s) => s / 2) as Vec3;
  const stBox = within(core, outer.map(axisGaussianRadius) as Vec3, read);
  const [cz, cy, cx] = [cut(gz, read, stBox), cut(gy, read, stBox), cut(gx, read, stBox)];
  // The six tensor entries interleaved, smoothed in one pass (they share every loop).
  const t = new Float32Array(6 * cz.length);
  for (let o = 0, p = 0; o < cz.length; o++, p += 6) {
    const a = cz[o], b = cy[o], c = cx[o];
    t[p] = a * a;
    t[p + 1] = a * b;
    t[p + 2] = a * c;
    t[p + 3] = b * b;
    t[p + 4] = b * c;
    t[p + 5] = c * c;
  }
  separableGaussianChannels(t, stBox.size, outer, 6);
  forCore(stBox, core, (r, v) => symmetricEigenvalues(t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4], t[6 * r + 5], out, v * count + k + 6));
}

/**
 * Features of the `core` voxels from `data`, the voxels of the box `read` (which holds the core).
 */
export function pixelFeatures(data: ArrayLike<number>, read: Box3, core: Box3, opts: PixelFeatureOptions): PixelFeatures {
  const names = featureNames(opts.sigmasUm);
  const count = names.length;
  const values = new Float32Array(core.size[0] * core.size[1] * core.size[2] * count);
  forCore(read, core, (r, v) => (values[v * count] = data[r]));
  opts.sigmasUm.forEach((s, i) => scaleFeatures(data, read, core, s, opts.voxelSize, values, count, 1 + 9 * i));
  return { values, count, names };
}

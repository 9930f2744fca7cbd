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
import { axisGaussianRadius, separableGaussian } from './_separable-gaussian.js';
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

/** Copy of the core's voxels of a per-voxel array of the read box into feature column `k`. */
function scatterCore(src: ArrayLike<number>, read: Box3, core: Box3, out: Float32Array, count: number, k: number): void {
  const [, rh, rw] = read.size;
  const [cd, ch, cw] = core.size;
  const oz = core.start[0] - read.start[0], oy = core.start[1] - read.start[1], ox = core.start[2] - read.start[2];
  for (let z = 0, v = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      let r = ((z + oz) * rh + y + oy) * rw + ox;
      for (let x = 0; x < cw; x++, v++, r++) out[v * count + k] = src[r];
    }
}

/** Eigenvalues (ascending) of per-voxel symmetric matrices given as six arrays (zz, zy, zx, yy, yx, xx). */
function eigenvalueMaps(m: Float32Array[]): Float32Array[] {
  const n = m[0].length;
  const e = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const tmp = new Float32Array(3);
  const [zz, zy, zx, yy, yx, xx] = m;
  for (let o = 0; o < n; o++) {
    symmetricEigenvalues(zz[o], zy[o], zx[o], yy[o], yx[o], xx[o], tmp, 0);
    e[0][o] = tmp[0];
    e[1][o] = tmp[1];
    e[2][o] = tmp[2];
  }
  return e;
}

/** The nine features of one scale, as arrays over the read box. */
function scaleFeatures(data: ArrayLike<number>, shape: Vec3, sigmaUm: number, voxelSize: Vec3): Float32Array[] {
  const sv = voxelSize.map((v) => sigmaUm / v) as Vec3;
  const g = separableGaussian(data, shape, sv);
  const [gz, gy, gx] = gradient(g, shape, voxelSize);
  const mag = new Float32Array(g.length);
  for (let o = 0; o < g.length; o++) mag[o] = Math.sqrt(gz[o] * gz[o] + gy[o] * gy[o] + gx[o] * gx[o]);
  const h = hessianFromGradient([gz, gy, gx], shape, voxelSize);
  const log = new Float32Array(g.length);
  for (let o = 0; o < g.length; o++) log[o] = h[0][o] + h[3][o] + h[5][o];
  const hEig = eigenvalueMaps(h);
  const outer = sv.map((s) => s / 2) as Vec3;
  const pairs: [Float32Array, Float32Array][] = [[gz, gz], [gz, gy], [gz, gx], [gy, gy], [gy, gx], [gx, gx]];
  const st = pairs.map(([a, b]) => {
    const p = new Float32Array(a.length);
    for (let o = 0; o < p.length; o++) p[o] = a[o] * b[o];
    return separableGaussian(p, shape, outer);
  });
  return [g, mag, log, ...hEig, ...eigenvalueMaps(st)];
}

/**
 * Features of the `core` voxels from `data`, the voxels of the box `read` (which holds the core).
 */
export function pixelFeatures(data: ArrayLike<number>, read: Box3, core: Box3, opts: PixelFeatureOptions): PixelFeatures {
  const names = featureNames(opts.sigmasUm);
  const count = names.length;
  const values = new Float32Array(core.size[0] * core.size[1] * core.size[2] * count);
  scatterCore(data, read, core, values, count, 0);
  let k = 1;
  for (const s of opts.sigmasUm) for (const f of scaleFeatures(data, read.size, s, opts.voxelSize)) scatterCore(f, read, core, values, count, k++);
  return { values, count, names };
}

/**
 * Multi-scale vesselness for bright tubes after Frangi et al. (1998, "Multiscale vessel
 * enhancement filtering", MICCAI, doi:10.1007/BFb0056195): at each scale σ (µm) the Hessian of
 * the Gaussian-smoothed volume, with eigenvalues |λ1| ≤ |λ2| ≤ |λ3|, scores a voxel as a bright tube
 * when λ2, λ3 < 0 (dark across in two directions), |λ2| ≈ |λ3| (round section) and |λ1| small
 * (flat along the axis); the response is the maximum over scales.
 *
 * One change from the paper: its structureness term 1 − exp(−S²/2c²) needs c from the whole image
 * (half the largest Hessian norm), which a block cannot know. Here the response is the
 * scale-normalised norm σ²·S itself times the two shape terms, so it is in intensity units (about
 * the tube's contrast at its best scale) and one global threshold rule (Otsu on the response's
 * histogram by default) can be chosen after a histogram pass, block by block.
 */
import type { Vec3 } from '../geometry/box.js';
import { axisGaussianRadius, separableGaussian } from './_separable-gaussian.js';
import { hessian } from './_finite-differences.js';
import { symmetricEigenvalues } from './_symmetric-eigenvalues.js';

export interface VesselnessOptions {
  /** Scales (µm): tube radii of about σ·√2 respond best. */
  sigmasUm: number[];
  voxelSize: Vec3;
  /** Sensitivity to the section's roundness (|λ2|/|λ3|). @default 0.5 */
  alpha?: number;
  /** Sensitivity to blob-likeness (|λ1|/√|λ2λ3|). @default 0.5 */
  beta?: number;
}

/** Voxels needed around a core (per axis) for exact vesselness. */
export function vesselnessHalo(sigmasUm: number[], voxelSize: Vec3): Vec3 {
  const smax = Math.max(0, ...sigmasUm);
  return [0, 1, 2].map((a) => axisGaussianRadius(smax / voxelSize[a]) + 2) as Vec3;
}

/** Vesselness response at every voxel of `data` (shape z, y, x); only voxels farther than the halo from an inner face are exact. */
export function vesselness(data: ArrayLike<number>, shape: Vec3, opts: VesselnessOptions): Float32Array {
  const { sigmasUm, voxelSize, alpha = 0.5, beta = 0.5 } = opts;
  const out = new Float32Array(data.length);
  const e = new Float32Array(3);
  const ka = 1 / (2 * alpha * alpha), kb = 1 / (2 * beta * beta);
  for (const s of sigmasUm) {
    const g = separableGaussian(data, shape, voxelSize.map((v) => s / v) as Vec3);
    const [zz, zy, zx, yy, yx, xx] = hessian(g, shape, voxelSize);
    const norm = s * s;
    for (let o = 0; o < out.length; o++) {
      symmetricEigenvalues(zz[o], zy[o], zx[o], yy[o], yx[o], xx[o], e, 0);
      // Ascending: a bright tube has e0 ≤ e1 < 0 and e2 ≈ 0.
      const l3 = e[0], l2 = e[1], l1 = e[2];
      if (l2 >= 0 || l3 >= 0) continue;
      const a3 = -l3, a2 = -l2, a1 = Math.abs(l1);
      const ra = a2 / a3;
      const rb = a1 / Math.sqrt(a2 * a3);
      const v = (1 - Math.exp(-ra * ra * ka)) * Math.exp(-rb * rb * kb) * norm * Math.sqrt(a1 * a1 + a2 * a2 + a3 * a3);
      if (v > out[o]) out[o] = v;
    }
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import type { Box3, Vec3 } from '../../src/geometry/box.js';
import { Random } from '../../src/synth/random.js';
import { pixelFeatures } from '../../src/segmentation/pixel-features.js';
import { separableGaussian } from '../../src/segmentation/_separable-gaussian.js';
import { gradient, hessianFromGradient } from '../../src/segmentation/_finite-differences.js';
import { symmetricEigenvalues } from '../../src/segmentation/_symmetric-eigenvalues.js';
import { RandomForest } from '../../src/segmentation/random-forest.js';

// Odd sizes: rows that are not a multiple of the kernels' 4 lanes, so the scalar tails run too.
const shape: Vec3 = [11, 14, 17];
const voxelSize: Vec3 = [1.6, 0.9, 0.7];
const sigmas = [0.8, 2];

function noiseVolume(seed: number): Float32Array {
  const r = new Random(seed);
  const v = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < v.length; i++) v[i] = 100 * r.next() + (i % shape[2]) * 3;
  return v;
}

/** The nine features of one scale by the JavaScript reference (float64 arithmetic), feature-major. */
function referenceScale(data: Float32Array, sigmaUm: number): Float32Array[] {
  const n = data.length;
  const sv = voxelSize.map((v) => sigmaUm / v) as Vec3;
  const g = separableGaussian(data, shape, sv);
  const grad = gradient(g, shape, voxelSize);
  const [gz, gy, gx] = grad;
  const [zz, zy, zx, yy, yx, xx] = hessianFromGradient(grad, shape, voxelSize);
  const t = [gz, gz, gz, gy, gy, gx].map((a, k) => separableGaussian(a.map((va, i) => va * [gz, gy, gx, gy, gx, gx][k][i]), shape, sv.map((s) => s / 2) as Vec3));
  const planes = Array.from({ length: 9 }, () => new Float32Array(n));
  const e = new Float32Array(3);
  for (let i = 0; i < n; i++) {
    planes[0][i] = g[i];
    planes[1][i] = Math.hypot(gz[i], gy[i], gx[i]);
    planes[2][i] = zz[i] + yy[i] + xx[i];
    symmetricEigenvalues(zz[i], zy[i], zx[i], yy[i], yx[i], xx[i], e, 0);
    for (let k = 0; k < 3; k++) planes[3 + k][i] = e[k];
    symmetricEigenvalues(t[0][i], t[1][i], t[2][i], t[3][i], t[4][i], t[5][i], e, 0);
    for (let k = 0; k < 3; k++) planes[6 + k][i] = e[k];
  }
  return planes;
}

describe('pixel feature and forest kernels (WebAssembly) against the JavaScript reference', () => {
  it('computes every feature as the float64 JavaScript definitions do, to float32 precision (1e-4 of each feature range)', () => {
    const data = noiseVolume(5);
    const whole: Box3 = { start: [0, 0, 0], size: shape };
    const f = pixelFeatures(data, whole, whole, { sigmasUm: sigmas, voxelSize });
    const n = data.length;
    expect(f.voxels).toBe(n);
    expect(Array.from(f.values.subarray(0, n))).toEqual(Array.from(data));
    sigmas.forEach((s, i) => {
      const refs = referenceScale(data, s);
      refs.forEach((ref, k) => {
        const got = f.values.subarray((1 + 9 * i + k) * n, (2 + 9 * i + k) * n);
        // Relative to the feature's range, and for eigenvalues to their matrices' (the largest of the
        // three): a small eigenvalue carries the rounding of the large ones. Both sides keep the
        // smoothed volume in float32 (summed in float64 there, float32 here), so second derivatives
        // differ by a few of its ulps: 1e-4, the tolerance of the block-against-volume test.
        const group = k < 3 ? [ref] : refs.slice(k < 6 ? 3 : 6, k < 6 ? 6 : 9);
        let scale = 0;
        for (const a of group) for (let v = 0; v < n; v++) scale = Math.max(scale, Math.abs(a[v]));
        let worst = 0;
        for (let v = 0; v < n; v++) worst = Math.max(worst, Math.abs(got[v] - ref[v]) / scale);
        expect(worst, `${f.names[1 + 9 * i + k]}`).toBeLessThan(1e-4);
      });
    });
  });

  it('gives equal eigenvalues for a flat volume (every matrix a multiple of the identity)', () => {
    const data = new Float32Array(shape[0] * shape[1] * shape[2]).fill(7);
    const whole: Box3 = { start: [0, 0, 0], size: shape };
    const f = pixelFeatures(data, whole, whole, { sigmasUm: [1], voxelSize });
    for (let k = 2; k < f.count; k++) for (let v = 0; v < f.voxels; v++) expect(f.values[k * f.voxels + v]).toBe(0);
  });

  it('predicts over feature-major planes exactly as the interleaved walk does', () => {
    const F = 4, n = 8192 + 11;
    const r = new Random(9);
    const X = new Float32Array(n * F);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < F; f++) X[i * F + f] = r.next();
      y[i] = X[i * F] + 0.5 * X[i * F + 2] > 0.8 ? 1 : 0;
    }
    const rf = RandomForest.train(X, y, n, F, { trees: 9, maxDepth: 8, seed: 3 });
    const planes = new Float32Array(n * F);
    for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) planes[f * n + i] = X[i * F + f];
    expect(Array.from(rf.predictFeatureMajor(planes, n))).toEqual(Array.from(rf.predict(X, n)));
  });
});

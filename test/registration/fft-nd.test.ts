import { describe, expect, it } from 'vitest';
import { FftNd } from '../../src/registration/fft-nd.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** Seeded uniform values in [-1, 1) (a tiny LCG: the test makes its own data). */
function randomVolume(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The definition: X[k] = sum_n x[n] exp(-2 pi i k.n / N), straight from the formula. */
function directDft(x: Float64Array, shape: Vec3): { re: Float64Array; im: Float64Array } {
  const [nz, ny, nx] = shape;
  const re = new Float64Array(x.length);
  const im = new Float64Array(x.length);
  for (let kz = 0; kz < nz; kz++)
    for (let ky = 0; ky < ny; ky++)
      for (let kx = 0; kx < nx; kx++) {
        let sr = 0, si = 0;
        for (let z = 0; z < nz; z++)
          for (let y = 0; y < ny; y++)
            for (let xx = 0; xx < nx; xx++) {
              const ph = -2 * Math.PI * ((kz * z) / nz + (ky * y) / ny + (kx * xx) / nx);
              const v = x[(z * ny + y) * nx + xx];
              sr += v * Math.cos(ph);
              si += v * Math.sin(ph);
            }
        const o = (kz * ny + ky) * nx + kx;
        re[o] = sr;
        im[o] = si;
      }
  return { re, im };
}

const SHAPES: Vec3[] = [
  [1, 1, 2],
  [1, 1, 4],
  [1, 1, 16],
  [1, 8, 4],
  [1, 2, 32],
  [4, 8, 2],
  [8, 4, 16],
  [2, 2, 8],
  [4, 1, 1],
  [8, 2, 1],
];

describe('FftNd (3-D real FFT on fft.js) against a direct DFT', () => {
  for (const shape of SHAPES) {
    it(`forward and inverse agree with the definition for shape [${shape}]`, () => {
      const n = shape[0] * shape[1] * shape[2];
      const x = randomVolume(n, n * 31 + shape[2]);
      const fft = new FftNd(shape);
      const spec = fft.createSpectrum();
      fft.forward(x, spec);
      const ref = directDft(x, shape);
      const [nz, ny, nx] = shape;
      let maxErr = 0;
      for (let kz = 0; kz < nz; kz++)
        for (let ky = 0; ky < ny; ky++)
          for (let kx = 0; kx < fft.halfX; kx++) {
            const o = (kz * ny + ky) * nx + kx;
            const p = 2 * ((kz * ny + ky) * fft.halfX + kx);
            maxErr = Math.max(maxErr, Math.abs(spec[p] - ref.re[o]), Math.abs(spec[p + 1] - ref.im[o]));
          }
      expect(maxErr).toBeLessThan(1e-9 * n);
      const back = new Float64Array(n);
      fft.inverse(spec, back);
      let rt = 0;
      for (let i = 0; i < n; i++) rt = Math.max(rt, Math.abs(back[i] - x[i]));
      expect(rt).toBeLessThan(1e-12 * n + 1e-12);
    });
  }

  it('rejects sizes fft.js cannot transform, and goodSize pads to them', () => {
    expect(() => new FftNd([1, 6, 8])).toThrow(/power of two/);
    expect([1, 2, 3, 5, 17, 40, 64].map(FftNd.goodSize)).toEqual([1, 2, 4, 8, 32, 64, 64]);
  });
});

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
  // Radix-4 passes with and without the lone radix-2 stage on both strided axes.
  [32, 16, 2],
  [16, 32, 1],
  // Mixed radix (Stockham) on the strided axes: 2^a·3^b·5^c.
  [6, 10, 4],
  [40, 3, 2],
  [15, 12, 1],
  [9, 1, 8],
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
    expect(() => new FftNd([1, 8, 6])).toThrow(/power of two/);
    expect(() => new FftNd([7, 8, 8])).toThrow(/2\^a/);
    expect(() => new FftNd([1, 14, 8])).toThrow(/2\^a/);
    expect([1, 2, 3, 5, 17, 40, 64].map(FftNd.goodSize)).toEqual([1, 2, 4, 8, 32, 64, 64]);
    expect([1, 2, 7, 11, 17, 40, 49, 61, 97].map(FftNd.goodStridedSize)).toEqual([1, 2, 8, 12, 18, 40, 50, 64, 100]);
  });
});

describe('FftNd.forward of a smaller volume', () => {
  it('equals the transform of the same volume zero padded to the plan', () => {
    const shape: Vec3 = [8, 16, 8];
    const small: Vec3 = [5, 11, 6];
    const x = randomVolume(small[0] * small[1] * small[2], 7);
    const padded = new Float64Array(shape[0] * shape[1] * shape[2]);
    for (let k = 0; k < small[0]; k++)
      for (let j = 0; j < small[1]; j++)
        for (let i = 0; i < small[2]; i++) padded[(k * shape[1] + j) * shape[2] + i] = x[(k * small[1] + j) * small[2] + i];
    const fft = new FftNd(shape);
    const want = fft.createSpectrum();
    fft.forward(padded, want);
    // A spectrum buffer holding garbage: the padded part must be overwritten, not assumed zero.
    const got = fft.createSpectrum().fill(3);
    fft.forward(x, got, small);
    const ref = directDft(padded, shape);
    expect(Math.abs(want[2] - ref.re[1])).toBeLessThan(1e-9);
    let maxErr = 0;
    for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    expect(maxErr).toBeLessThan(1e-9);
    expect(() => fft.forward(x, got, [9, 11, 6])).toThrow(/Cannot transform/);
  });
});

describe('FftNd.forward from a row source', () => {
  it('equals the transform of the volume the rows make up', () => {
    const shape: Vec3 = [6, 8, 16];
    const small: Vec3 = [5, 7, 11];
    const x = randomVolume(small[0] * small[1] * small[2], 11);
    const fft = new FftNd(shape);
    const want = fft.createSpectrum();
    fft.forward(x, want, small);
    const got = fft.createSpectrum();
    fft.forward((k, j, row) => row.set(x.subarray((k * small[1] + j) * small[2], (k * small[1] + j + 1) * small[2])), got, small);
    let maxErr = 0;
    for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    expect(maxErr).toBe(0);
  });
});

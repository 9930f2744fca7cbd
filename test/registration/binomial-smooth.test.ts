import { describe, expect, it } from 'vitest';
import { binomialSmooth } from '../../src/registration/binomial-smooth.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** Straight from the definition: normalised [1 4 6 4 1] along each axis in turn, clipped at the ends. */
function reference(x: Float32Array, shape: Vec3, mask: Uint8Array | null): Float32Array {
  const [d, h, w] = shape;
  let val = Float64Array.from(x, (v, o) => (mask && !mask[o] ? 0 : v));
  let wgt = Float64Array.from(x, (_v, o) => (mask && !mask[o] ? 0 : 1));
  const taps = [1, 4, 6, 4, 1];
  for (let ax = 0; ax < 3; ax++) {
    if (shape[ax] < 5) continue;
    const nv = new Float64Array(val.length), nw = new Float64Array(val.length);
    for (let k = 0; k < d; k++)
      for (let j = 0; j < h; j++)
        for (let i = 0; i < w; i++) {
          const idx = [k, j, i];
          let sv = 0, sw = 0;
          for (let t = -2; t <= 2; t++) {
            const q = [...idx];
            q[ax] += t;
            if (q[ax] < 0 || q[ax] >= shape[ax]) continue;
            const o = (q[0] * h + q[1]) * w + q[2];
            sv += taps[t + 2] * val[o];
            sw += taps[t + 2] * wgt[o];
          }
          nv[(k * h + j) * w + i] = sv;
          nw[(k * h + j) * w + i] = sw;
        }
    val = nv;
    wgt = nw;
  }
  return Float32Array.from(val, (v, o) => (mask && !mask[o]) || wgt[o] === 0 ? 0 : v / wgt[o]);
}

describe('binomialSmooth', () => {
  for (const shape of [[6, 7, 9], [1, 12, 5], [3, 8, 8]] as Vec3[]) {
    for (const masked of [false, true]) {
      it(`matches the definition on [${shape}]${masked ? ' with a mask' : ''}`, () => {
        const n = shape[0] * shape[1] * shape[2];
        const x = Float32Array.from({ length: n }, (_v, i) => Math.sin(i * 1.7) * 10 + (i % 7));
        const mask = masked ? Uint8Array.from({ length: n }, (_v, i) => (i % 5 === 2 ? 0 : 1)) : null;
        const got = binomialSmooth(x, shape, mask);
        const want = reference(x, shape, mask);
        for (let o = 0; o < n; o++) expect(got[o]).toBeCloseTo(want[o], 3);
      });
    }
  }
});

describe('binomialSmooth inside a box', () => {
  for (const masked of [false, true]) {
    it(`equals the whole region's smoothing inside the box and is 0 outside${masked ? ' (with a mask)' : ''}`, () => {
      const shape: Vec3 = [9, 11, 13];
      const n = shape[0] * shape[1] * shape[2];
      const x = Float32Array.from({ length: n }, (_v, i) => Math.cos(i * 0.37) * 5 + (i % 11));
      const mask = masked ? Uint8Array.from({ length: n }, (_v, i) => (i % 7 === 3 ? 0 : 1)) : null;
      const box = { lo: [2, 1, 4] as Vec3, size: [5, 8, 6] as Vec3 };
      const got = binomialSmooth(x, shape, mask, box);
      const want = reference(x, shape, mask);
      let inside = 0;
      for (let k = 0; k < shape[0]; k++)
        for (let j = 0; j < shape[1]; j++)
          for (let i = 0; i < shape[2]; i++) {
            const o = (k * shape[1] + j) * shape[2] + i;
            const isIn = k >= 2 && k < 7 && j >= 1 && j < 9 && i >= 4 && i < 10;
            if (isIn) {
              inside++;
              expect(got[o]).toBeCloseTo(want[o], 3);
            } else expect(got[o]).toBe(0);
          }
      expect(inside).toBe(5 * 8 * 6);
    });
  }
});

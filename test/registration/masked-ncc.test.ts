import { describe, expect, it } from 'vitest';
import { maskedNcc, maskedNccRow3 } from '../../src/registration/masked-ncc.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** Seeded values (tiny LCG): the test makes its own data. */
function volume(shape: Vec3, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

describe('maskedNccRow3', () => {
  const a = { data: volume([7, 9, 12], 1), shape: [7, 9, 12] as Vec3, mask: null };
  const b = { data: volume([6, 8, 10], 2), shape: [6, 8, 10] as Vec3, mask: null };
  // Shifts where the three x ranges coincide, differ at one end, at both, or vanish.
  const shifts: Vec3[] = [[0, 0, 0], [1, -2, 1], [-1, 2, 2], [2, 1, -9], [0, 0, 11], [0, 0, 12], [3, -3, -1], [0, 0, -10]];
  for (const step of [[1, 1], [2, 2]] as [number, number][]) {
    it(`equals three maskedNcc calls exactly (step ${step})`, () => {
      for (const t of shifts) {
        const got = maskedNccRow3(a, b, t, step);
        for (let d = 0; d < 3; d++) {
          const want = maskedNcc(a, b, [t[0], t[1], t[2] + d - 1], step);
          expect({ t, d, ...got[d] }).toEqual({ t, d, ...want });
        }
      }
    });
  }
  it('with a mask, too', () => {
    const mask = Uint8Array.from({ length: 7 * 9 * 12 }, (_v, i) => (i % 5 === 1 ? 0 : 1));
    const am = { ...a, mask };
    const got = maskedNccRow3(am, b, [1, 0, 2]);
    for (let d = 0; d < 3; d++) expect(got[d]).toEqual(maskedNcc(am, b, [1, 0, 2 + d - 1]));
  });
});

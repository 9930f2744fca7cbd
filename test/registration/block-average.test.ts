import { describe, expect, it } from 'vitest';
import { blockAverage } from '../../src/registration/block-average.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** Straight from the definition: the mean of each full block (partial blocks at the far edge dropped). */
function reference(x: Float32Array, shape: Vec3, f: Vec3): { data: number[]; shape: Vec3 } {
  const out: Vec3 = [0, 1, 2].map((a) => Math.floor(shape[a] / f[a])) as Vec3;
  const data: number[] = [];
  for (let k = 0; k < out[0]; k++)
    for (let j = 0; j < out[1]; j++)
      for (let i = 0; i < out[2]; i++) {
        let s = 0;
        for (let a = 0; a < f[0]; a++)
          for (let b = 0; b < f[1]; b++)
            for (let c = 0; c < f[2]; c++) s += x[((k * f[0] + a) * shape[1] + j * f[1] + b) * shape[2] + i * f[2] + c];
        data.push(s / (f[0] * f[1] * f[2]));
      }
  return { data, shape: out };
}

describe('blockAverage', () => {
  const shape: Vec3 = [5, 9, 13];
  const x = Float32Array.from({ length: 5 * 9 * 13 }, (_v, i) => Math.sin(i * 0.71) * 100 + (i % 17));
  for (const f of [[1, 2, 2], [2, 3, 1], [1, 1, 3], [3, 2, 4]] as Vec3[]) {
    it(`all voxels valid, factors [${f}]: the block means, no mask`, () => {
      const got = blockAverage(x, shape, null, f);
      const want = reference(x, shape, f);
      expect(got.shape).toEqual(want.shape);
      expect(got.mask).toBeNull();
      want.data.forEach((v, o) => expect(got.data[o]).toBeCloseTo(v, 3));
      // The masked path with every voxel valid agrees.
      const masked = blockAverage(x, shape, new Uint8Array(x.length).fill(1), f);
      want.data.forEach((v, o) => expect(masked.data[o]).toBeCloseTo(v, 3));
    });
  }
});

import { describe, expect, it } from 'vitest';
import { TextureTable } from '../../src/registration/_texture-table.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';

function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = (s / 2 ** 31) * 100;
  }
  return out;
}

describe('TextureTable', () => {
  const shape: Vec3 = [5, 7, 9];
  const region: Box3 = { start: [2, 3, 4], size: shape };
  const data = noise(5 * 7 * 9, 3);
  const boxes: Box3[] = [
    { start: [2, 3, 4], size: [5, 7, 9] },
    { start: [3, 4, 5], size: [2, 3, 4] },
    { start: [0, 0, 0], size: [4, 6, 8] },
    { start: [5, 8, 10], size: [6, 6, 6] },
    { start: [6, 9, 12], size: [1, 1, 1] },
  ];

  it('scores every box the same without a mask as with an all-valid mask (the fast path)', () => {
    const fast = new TextureTable(data, null, region);
    const masked = new TextureTable(data, new Uint8Array(data.length).fill(1), region);
    for (const b of boxes) {
      const f = fast.score(b), m = masked.score(b);
      expect(f.valid).toBeCloseTo(m.valid, 12);
      expect(f.texture).toBeCloseTo(m.texture, 9);
    }
  });

  it('treats NaN as invalid also without a mask', () => {
    const withNaN = Float32Array.from(data);
    withNaN[0] = NaN;
    const mask = new Uint8Array(data.length).fill(1);
    mask[0] = 0;
    const a = new TextureTable(withNaN, null, region).score(boxes[0]), b = new TextureTable(data, mask, region).score(boxes[0]);
    expect(a.valid).toBeCloseTo(b.valid, 12);
    expect(a.texture).toBeCloseTo(b.texture, 9);
    expect(a.valid).toBeLessThan(1);
  });
});

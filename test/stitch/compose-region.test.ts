import { describe, it, expect } from 'vitest';
import { composeRegion, type TileBlock } from '../../src/stitch/compose-region.js';
import { downsampleMean } from '../../src/stitch/downsample-mean.js';

function tile(position: [number, number, number], value: number, n = 4): TileBlock {
  return { position, tileShape: [1, n, n], lo: [0, 0, 0], size: [1, n, n], data: new Float32Array(n * n).fill(value), cylinder: false, gain: 1, offset: 0 };
}

describe('composeRegion', () => {
  it('never lets an invalid (NaN) voxel contribute, and fills what no tile covers', () => {
    const a = tile([0, 0, 0], 10);
    a.data[1 * 4 + 1] = NaN; // voxel (y 1, x 1) of tile a carries no image
    const b = tile([0, 0, 2], 30); // covers x 2..5
    const r = composeRegion([0, 0, 0], [1, 5, 7], [a, b], { blend: 'average', blendWidth: 0, interpolation: 'nearest', fillValue: -1 });
    const at = (y: number, x: number) => r.data[y * 7 + x];
    expect(at(0, 0)).toBe(10); // a only
    expect(at(0, 2)).toBe(20); // a and b averaged
    expect(at(1, 1)).toBe(-1); // a invalid there, b does not reach: uncovered
    expect(at(0, 5)).toBe(30); // b only
    expect(at(4, 0)).toBe(-1); // beyond both tiles
    expect(at(0, 6)).toBe(-1);
    // Trilinear: a sample next to the NaN voxel with non-zero weight on it is dropped; b's value remains.
    const lin = composeRegion([0, 1, 0], [1, 1, 1], [a, { ...tile([0, 0.5, 0.5], 30) }], { blend: 'first', blendWidth: 0, interpolation: 'linear', fillValue: -1 });
    expect(lin.data[0]).toBe(10); // a at integer (1, 0): weight only on valid voxel (1, 0)
    const lin2 = composeRegion([0, 1, 1], [1, 1, 1], [{ ...a, position: [0, -0.5, 0] }, tile([0, 0, 0], 30)], { blend: 'first', blendWidth: 0, interpolation: 'linear', fillValue: -1 });
    expect(lin2.data[0]).toBe(30); // a's sample at y 1.5 needs the NaN voxel: only the second tile counts
  });

  it('weights linear and cosine blends by the distance to each tile border', () => {
    const a = tile([0, 0, 0], 0, 8), b = tile([0, 0, 4], 100, 8);
    const lin = composeRegion([0, 0, 4], [1, 1, 4], [a, b], { blend: 'linear', blendWidth: 4, interpolation: 'nearest', fillValue: 0 });
    // x = 4..7: a's distance to its far border 3.5..0.5, b's to its near border 0.5..3.5.
    [0, 1, 2, 3].forEach((i) => {
      const wa = Math.min(1, (3.5 - i) / 4), wb = Math.min(1, (0.5 + i) / 4);
      expect(lin.data[i]).toBeCloseTo((100 * wb) / (wa + wb), 4);
    });
    const max = composeRegion([0, 0, 4], [1, 1, 4], [a, b], { blend: 'max', blendWidth: 4, interpolation: 'nearest', fillValue: 0 });
    expect(Array.from(max.data)).toEqual([100, 100, 100, 100]);
  });
});

describe('downsampleMean', () => {
  it('averages only the children inside the extent', () => {
    // 1 x 1 x 5 line at global x 3..7, extent x [3, 8): pairs (2,3) (4,5) (6,7) → first pair has one child inside.
    const r = downsampleMean(Float32Array.from([1, 2, 3, 4, 5, 6]), [0, 0, 2], [1, 1, 6], [1, 1, 2], [0, 0, 3], [1, 1, 8], -1);
    expect(Array.from(r.data)).toEqual([2, 3.5, 5.5]);
  });
});

import { describe, it, expect } from 'vitest';
import { pyramidFactors } from '../../src/pyramid/pyramid-factors.js';
import { blockMeanLevel } from '../../src/pyramid/block-mean-level.js';
import { planPyramidBlocks } from '../../src/pyramid/plan-pyramid-blocks.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { referenceLevel } from './_pyramid-helpers.js';
import { levelBox } from '../../src/pyramid/level-box.js';

describe('pyramidFactors', () => {
  it('halves every axis of isotropic tiles down to the minimum size', () => {
    expect(pyramidFactors([128, 128, 128], [1, 1, 1], { minSize: 32 })).toEqual([[1, 1, 1], [2, 2, 2], [4, 4, 4]]);
  });

  it('halves only the finer axes until the voxels are near-isotropic (BigStitcher-like)', () => {
    // z voxels 1.0 µm, y/x 0.65 µm: z joins once y/x reach 1.3 µm.
    expect(pyramidFactors([256, 1024, 1024], [1, 0.65, 0.65], { minSize: 64 })).toEqual([[1, 1, 1], [1, 2, 2], [2, 4, 4], [4, 8, 8], [8, 16, 16]]);
    // z voxels 4× coarser: z waits two levels.
    expect(pyramidFactors([64, 512, 512], [2, 0.5, 0.5], { minSize: 32 })).toEqual([[1, 1, 1], [1, 2, 2], [1, 4, 4], [2, 8, 8], [4, 16, 16]]);
    // x coarser than y and z.
    expect(pyramidFactors([100, 100, 50], [1, 1, 2], { minSize: 30 })).toEqual([[1, 1, 1], [2, 2, 1], [4, 4, 2]]);
  });

  it('keeps 2-D tiles 2-D, stops at max_levels, and gives one level to tiles already small', () => {
    expect(pyramidFactors([1, 300, 300], [1, 1, 1], { minSize: 64 })).toEqual([[1, 1, 1], [1, 2, 2], [1, 4, 4], [1, 8, 8]]);
    expect(pyramidFactors([512, 512, 512], [1, 1, 1], { minSize: 1, maxLevels: 3 })).toHaveLength(3);
    expect(pyramidFactors([20, 30, 30], [1, 1, 1], { minSize: 32 })).toEqual([[1, 1, 1]]);
  });
});

describe('blockMeanLevel', () => {
  it('built level from level equals the block mean over level 0 (float, odd shapes, clipped edges)', () => {
    const shape: Vec3 = [7, 13, 11];
    const tile = new Float32Array(shape[0] * shape[1] * shape[2]);
    for (let i = 0; i < tile.length; i++) tile[i] = Math.sin(i * 0.37) * 100 + (i % 17);
    const l1 = blockMeanLevel({ data: tile, shape, start: [0, 0, 0], factors: [1, 1, 1], step: [1, 2, 2], tileShape: shape, dtype: 'float32' });
    const l2 = blockMeanLevel({ data: l1.data, shape: l1.shape, start: [0, 0, 0], factors: [1, 2, 2], step: [2, 2, 2], tileShape: shape, dtype: 'float32' });
    const ref = referenceLevel(tile, shape, [2, 4, 4]);
    expect(l2.shape).toEqual(ref.shape);
    for (let i = 0; i < ref.data.length; i++) expect(l2.data[i]).toBeCloseTo(ref.data[i], 3);
  });

  it('a block computed from a sub-box equals the same voxels of the whole level', () => {
    const shape: Vec3 = [6, 10, 9];
    const tile = new Uint16Array(shape[0] * shape[1] * shape[2]).map((_, i) => (i * 7919) % 1000);
    const whole = blockMeanLevel({ data: tile, shape, start: [0, 0, 0], factors: [1, 1, 1], step: [2, 2, 2], tileShape: shape, dtype: 'uint16' });
    // The block of level 1 starting at (1, 2, 2): level-0 box from (2, 4, 4) to the tile's edge.
    const start: Vec3 = [2, 4, 4];
    const size: Vec3 = [4, 6, 5];
    const sub = new Uint16Array(size[0] * size[1] * size[2]);
    for (let z = 0; z < size[0]; z++) for (let y = 0; y < size[1]; y++) for (let x = 0; x < size[2]; x++) sub[(z * size[1] + y) * size[2] + x] = tile[((z + start[0]) * shape[1] + y + start[1]) * shape[2] + x + start[2]];
    const part = blockMeanLevel({ data: sub, shape: size, start, factors: [1, 1, 1], step: [2, 2, 2], tileShape: shape, dtype: 'uint16' });
    expect(part.shape).toEqual([2, 3, 3]);
    for (let z = 0; z < 2; z++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) expect(part.data[(z * 3 + y) * 3 + x]).toBe(whole.data[((z + 1) * whole.shape[1] + y + 2) * whole.shape[2] + x + 2]);
  });
});

describe('blockMeanLevel with voxels that carry no image', () => {
  it('leaves fill-value and NaN voxels out of the means; all-empty blocks stay empty', () => {
    // One plane 2×4, step 2 in y and x: two output voxels.
    const u = blockMeanLevel({ data: Uint16Array.from([0, 10, 0, 0, 20, 30, 0, 0]), shape: [1, 2, 4], start: [0, 0, 0], factors: [1, 1, 1], step: [1, 2, 2], tileShape: [1, 2, 4], dtype: 'uint16', fill: 0 });
    expect(Array.from(u.data)).toEqual([20, 0]);
    const f = blockMeanLevel({ data: Float32Array.from([NaN, 1, NaN, NaN, 2, 4.5, NaN, NaN]), shape: [1, 2, 4], start: [0, 0, 0], factors: [1, 1, 1], step: [1, 2, 2], tileShape: [1, 2, 4], dtype: 'float32' });
    expect(f.data[0]).toBeCloseTo(2.5, 6);
    expect(f.data[1]).toBeNaN();
    // Without empty voxels the masked path agrees with the plain one.
    const data = Float32Array.from({ length: 5 * 6 * 7 }, (_, i) => (i * 13) % 29);
    const masked = blockMeanLevel({ data, shape: [5, 6, 7], start: [0, 0, 0], factors: [1, 1, 1], step: [2, 2, 2], tileShape: [5, 6, 7], dtype: 'float32' });
    const ref = referenceLevel(data, [5, 6, 7], [2, 2, 2]);
    for (let i = 0; i < ref.data.length; i++) expect(masked.data[i]).toBeCloseTo(ref.data[i], 4);
  });
});

describe('planPyramidBlocks', () => {
  it('plans chunk-aligned blocks within the memory budget, whatever the tile size', () => {
    for (const tile of [[192, 1024, 1024], [2160, 2560, 2560]] as Vec3[]) {
      for (const budgetMb of [32, 64, 256]) {
        const levelShape = tile.map((s, a) => Math.ceil(s / [1, 2, 2][a])) as Vec3;
        const plan = planPyramidBlocks({ levelShape, chunk: [64, 128, 128], step: [1, 2, 2], sourceShape: tile, sourceChunk: [64, 128, 128], bytesPerVoxel: 2, readConcurrency: 4, budgetBytes: budgetMb * 2 ** 20, what: 'test' });
        expect(plan.estimatedBytes).toBeLessThanOrEqual(budgetMb * 2 ** 20);
        // What the job holds at least: the box it reads of the level below, at 2 bytes a voxel.
        const read = plan.block.reduce((p, b, a) => p * Math.min(b * [1, 2, 2][a], tile[a]), 1) * 2;
        expect(read).toBeLessThanOrEqual(plan.estimatedBytes);
        plan.block.forEach((b, a) => expect(b % [64, 128, 128][a] === 0 || b >= levelShape[a]).toBe(true));
        expect(plan.grid).toEqual(levelShape.map((s, a) => Math.ceil(s / plan.block[a])));
      }
    }
  });

  it('names the level and the budget when one chunk does not fit', () => {
    expect(() => planPyramidBlocks({ levelShape: [512, 512, 512], chunk: [256, 256, 256], step: [2, 2, 2], sourceShape: [1024, 1024, 1024], sourceChunk: [256, 256, 256], bytesPerVoxel: 2, readConcurrency: 4, budgetBytes: 2 ** 20, what: 'tile t_0_0_0, level 1' })).toThrow(/Cannot plan the pyramid of tile t_0_0_0, level 1: one chunk .* above the budget of 1.0 MiB/);
  });
});

describe('levelBox', () => {
  it('covers a level-0 box with whole level voxels, clipped to the level', () => {
    expect(levelBox({ start: [3, 10, 0], size: [5, 6, 9] }, [2, 4, 4], [10, 12, 3])).toEqual({ start: [1, 2, 0], size: [3, 2, 3] });
    expect(levelBox({ start: [0, 0, 0], size: [20, 45, 38] }, [1, 2, 2], [20, 23, 19])).toEqual({ start: [0, 0, 0], size: [20, 23, 19] });
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vec3 } from '../../src/geometry/box.js';
import { hash3 } from '../../src/synth/random.js';
import { localBlockSource, releaseBlockSource } from '../../src/analysis/block-source.js';
import { AnalysisSettingsSchema } from '../../src/campaign/sections/analysis.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { segmentVolume } from '../../src/segmentation/segment-volume.js';
import { dice, readMask } from './_volumes.js';

/** Straight bright tubes along x of several radii (anti-aliased walls) over a noisy background. */
function tubes(shape: Vec3, radii: number[], voxelSize: Vec3): { image: Float32Array; truth: Uint8Array; axes: [number, number][] } {
  const [D, H, W] = shape;
  const image = new Float32Array(D * H * W), truth = new Uint8Array(D * H * W);
  const axes = radii.map((_, i): [number, number] => [D / 2, 10 + i * 14]);
  for (let z = 0, o = 0; z < D; z++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++, o++) {
        let v = 0.2 + 0.15 * (hash3(x, y, z, 3) - 0.5);
        radii.forEach((r, i) => {
          // Radius in µm; distance in µm with the voxel size.
          const d = Math.hypot((z - axes[i][0]) * voxelSize[0], (y - axes[i][1]) * voxelSize[1]);
          if (d <= r) truth[o] = 1;
          const c = Math.min(1, Math.max(0, (r - d) / Math.min(voxelSize[0], voxelSize[1]) + 0.5));
          v = v * (1 - c) + c;
        });
        image[o] = v;
      }
  return { image, truth, axes };
}

describe('vesselness segmentation (unsupervised, bright tubes)', () => {
  it('finds tubes of radius 1.5 to 6 voxels with the default threshold rule: every axis found, walls reached, background left out', async () => {
    const shape: Vec3 = [40, 64, 48];
    const radii = [1.5, 2.5, 4, 6];
    const t = tubes(shape, radii, [1, 1, 1]);
    const src = localBlockSource(shape, async (b) => cropOf(t.image, shape, b.start, b.size));
    const dir = mkdtempSync(join(tmpdir(), 'sg-ves-'));
    try {
      const seg = await segmentVolume(src, AnalysisSettingsSchema.parse({ segmentation: { method: 'vesselness' } }), [1, 1, 1], new InlineExecutor(), { maskStore: join(dir, 'v.ome.zarr') });
      expect(seg.method).toBe('vesselness');
      const mask = await readMask(join(dir, 'v.ome.zarr'), shape);
      expect(dice(mask, t.truth)).toBeGreaterThan(0.8);
      const [, H, W] = shape;
      radii.forEach((r, i) => {
        const [cz, cy] = t.axes[i];
        let axis = 0, inside = 0, truthInside = 0;
        for (let x = 6; x < W - 6; x++) axis += mask[(cz * H + cy) * W + x];
        for (let z = 0; z < shape[0]; z++)
          for (let y = Math.max(0, cy - 7); y < Math.min(H, cy + 7); y++)
            for (let x = 6; x < W - 6; x++) {
              const o = (z * H + y) * W + x;
              inside += mask[o];
              truthInside += t.truth[o];
            }
        expect(axis, `axis of radius ${r}`).toBe(W - 12);
        expect(inside / truthInside, `volume of radius ${r}`).toBeGreaterThan(0.7);
        expect(inside / truthInside, `volume of radius ${r}`).toBeLessThan(1.3);
      });
    } finally {
      releaseBlockSource(src);
    }
  }, 60_000);

  it('works in µm with anisotropic voxels (z twice as coarse)', async () => {
    const shape: Vec3 = [24, 56, 40];
    const vs: Vec3 = [2, 1, 1];
    const t = tubes(shape, [2.5, 4, 6], vs);
    const src = localBlockSource(shape, async (b) => cropOf(t.image, shape, b.start, b.size));
    const dir = mkdtempSync(join(tmpdir(), 'sg-ves2-'));
    try {
      await segmentVolume(src, AnalysisSettingsSchema.parse({ segmentation: { method: 'vesselness' } }), vs, new InlineExecutor(), { maskStore: join(dir, 'v.ome.zarr') });
      expect(dice(await readMask(join(dir, 'v.ome.zarr'), shape), t.truth)).toBeGreaterThan(0.75);
    } finally {
      releaseBlockSource(src);
    }
  }, 60_000);
});

function cropOf(src: Float32Array, shape: Vec3, start: Vec3, size: Vec3): Float32Array {
  const [d, h, w] = size;
  const out = new Float32Array(d * h * w);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const s = ((start[0] + z) * shape[1] + start[1] + y) * shape[2] + start[2];
      out.set(src.subarray(s, s + w), (z * h + y) * w);
    }
  return out;
}

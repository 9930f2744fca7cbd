import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Box3, Vec3 } from '../../src/geometry/box.js';
import { renderUnevenPhantom } from '../../src/synth/render-uneven-phantom.js';
import { localBlockSource, releaseBlockSource } from '../../src/analysis/block-source.js';
import { AnalysisSettingsSchema } from '../../src/campaign/sections/analysis.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { segmentVolume } from '../../src/segmentation/segment-volume.js';
import { pixelFeatures, featureHalo } from '../../src/segmentation/pixel-features.js';
import { RandomForest } from '../../src/segmentation/random-forest.js';
import { readClassifierModel } from '../../src/segmentation/classifier-model-file.js';
import { growBox } from '../../src/segmentation/segment-block.js';
import { isStitchgraphError } from '../../src/errors.js';
import { dice, readMask, sparseLabels } from './_volumes.js';

const shape: Vec3 = [64, 64, 64];
const phantom = renderUnevenPhantom({ shape, seed: 3 });

describe('pixel classifier on a phantom where Otsu fails (uneven gain and background)', () => {
  it('reaches Dice ≥ 0.9 with 0.3 % of the voxels labelled; Otsu stays far below; the model file alone gives the same mask block by block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-clf-'));
    const labels = sparseLabels(phantom.mask, 0.003, 7);
    const labelled = labels.reduce((s, l) => s + (l > 0 ? 1 : 0), 0);
    expect(labelled / labels.length).toBeLessThanOrEqual(0.005);
    const image = localBlockSource(shape, async (b) => crop(phantom.image, b));
    const lab = localBlockSource(shape, async (b) => crop(labels, b));
    const exec = new InlineExecutor();
    try {
      const settings = AnalysisSettingsSchema.parse({ segmentation: { method: 'classifier' } });
      const seg = await segmentVolume(image, settings, [1, 1, 1], exec, { maskStore: join(dir, 'seg.ome.zarr'), labels: lab, modelOut: join(dir, 'classifier.json') });
      expect(seg.trained).toBe(true);
      const d = dice(await readMask(join(dir, 'seg.ome.zarr'), shape), phantom.mask);
      expect(d).toBeGreaterThanOrEqual(0.9);

      const otsu = await segmentVolume(image, AnalysisSettingsSchema.parse({ segmentation: { method: 'otsu' } }), [1, 1, 1], exec, { maskStore: join(dir, 'otsu.ome.zarr') });
      expect(otsu.method).toBe('otsu');
      expect(dice(await readMask(join(dir, 'otsu.ome.zarr'), shape), phantom.mask)).toBeLessThan(0.6);

      // The model file alone, on a crop in blocks of 16 (each read with the feature halo), gives
      // the whole-volume mask of that crop: what workers do with the path, block by block.
      const box: Box3 = { start: [8, 10, 12], size: [32, 40, 36] };
      const cropSource = localBlockSource(box.size, async (b) => crop(phantom.image, { start: [b.start[0] + box.start[0], b.start[1] + box.start[1], b.start[2] + box.start[2]], size: b.size }));
      const model = join(dir, 'classifier.json');
      const whole = await segmentVolume(cropSource, settings, [1, 1, 1], exec, { maskStore: join(dir, 'crop-whole.ome.zarr'), model });
      const blocks = await segmentVolume(cropSource, AnalysisSettingsSchema.parse({ segmentation: { method: 'classifier', block: 16 } }), [1, 1, 1], exec, { maskStore: join(dir, 'crop16.ome.zarr'), model });
      releaseBlockSource(cropSource);
      expect(whole.trained || blocks.trained).toBe(false);
      expect(blocks.blocksRun).toBe(18);
      expect(Buffer.from(await readMask(join(dir, 'crop16.ome.zarr'), box.size)).equals(Buffer.from(await readMask(join(dir, 'crop-whole.ome.zarr'), box.size)))).toBe(true);
    } finally {
      releaseBlockSource(image);
      releaseBlockSource(lab);
      await exec.close();
    }
  }, 120_000);

  it('computes a block\'s features (read with featureHalo) equal to the whole volume\'s, with anisotropic voxels', () => {
    const vs: Vec3 = [2, 0.8, 0.8];
    const sigmas = [1, 2.5];
    const whole: Box3 = { start: [0, 0, 0], size: shape };
    const all = pixelFeatures(phantom.image, whole, whole, { sigmasUm: sigmas, voxelSize: vs });
    const core: Box3 = { start: [24, 20, 30], size: [16, 12, 10] };
    const read = growBox(core, featureHalo(sigmas, vs), shape);
    const part = pixelFeatures(crop(phantom.image, read), read, core, { sigmasUm: sigmas, voxelSize: vs });
    const F = all.count, V = all.voxels, n = part.voxels;
    let worst = 0;
    for (let z = 0, v = 0; z < core.size[0]; z++)
      for (let y = 0; y < core.size[1]; y++)
        for (let x = 0; x < core.size[2]; x++, v++) {
          const g = ((core.start[0] + z) * shape[1] + core.start[1] + y) * shape[2] + core.start[2] + x;
          for (let k = 0; k < F; k++) worst = Math.max(worst, Math.abs(all.values[k * V + g] - part.values[k * n + v]) / (1e-3 + Math.abs(all.values[k * V + g])));
        }
    expect(worst).toBeLessThan(1e-4);
  });

  it('round-trips a forest through JSON with identical predictions; a broken model file fails clearly', async () => {
    const X = new Float32Array(400 * 3), y = new Uint8Array(400);
    for (let i = 0; i < 400; i++) {
      X[i * 3] = (i % 20) / 20;
      X[i * 3 + 1] = Math.floor(i / 20) / 20;
      X[i * 3 + 2] = ((i * 7) % 13) / 13;
      y[i] = X[i * 3] + X[i * 3 + 1] > 1 ? 1 : 0;
    }
    const rf = RandomForest.train(X, y, 400, 3, { trees: 8, seed: 4 });
    const back = RandomForest.fromJSON(JSON.parse(JSON.stringify(rf.toJSON())) as ReturnType<RandomForest['toJSON']>);
    expect(Array.from(back.predict(X, 400))).toEqual(Array.from(rf.predict(X, 400)));
    const p = rf.predict(X, 400);
    let right = 0;
    for (let i = 0; i < 400; i++) right += (p[i] > 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    expect(right / 400).toBeGreaterThan(0.95);

    const dir = mkdtempSync(join(tmpdir(), 'sg-model-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ format: 'something-else' }));
    const err = await readClassifierModel(join(dir, 'bad.json')).catch((e: unknown) => e);
    expect(isStitchgraphError(err, 'InputError')).toBe(true);
    expect((err as Error).message).toMatch(/^Cannot read .*bad\.json: not a stitchgraph pixel classifier/);
  });

  it('refuses labels of one class only, naming the counts', async () => {
    const image = localBlockSource(shape, async (b) => crop(phantom.image, b));
    const only = new Uint8Array(phantom.mask.length);
    only[5] = only[900] = 1;
    const lab = localBlockSource(shape, async (b) => crop(only, b));
    const dir = mkdtempSync(join(tmpdir(), 'sg-clf1-'));
    try {
      const settings = AnalysisSettingsSchema.parse({ segmentation: { method: 'classifier' } });
      await expect(segmentVolume(image, settings, [1, 1, 1], new InlineExecutor(), { maskStore: join(dir, 's'), labels: lab, modelOut: join(dir, 'm.json') })).rejects.toThrow(/2 background \(1\) and 0 structure \(2\)/);
    } finally {
      releaseBlockSource(image);
      releaseBlockSource(lab);
    }
  });
});

function crop<T extends Float32Array | Uint8Array>(src: T, box: Box3): T {
  const [d, h, w] = box.size;
  const out = new (src.constructor as new (n: number) => T)(d * h * w);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const s = ((box.start[0] + z) * shape[1] + box.start[1] + y) * shape[2] + box.start[2];
      out.set(src.subarray(s, s + w), (z * h + y) * w);
    }
  return out;
}

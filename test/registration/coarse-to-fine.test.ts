import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { findOverlaps } from '../../src/registration/find-overlaps.js';
import { registerPair, type PairJobPayload, type PairParams } from '../../src/registration/register-pair.js';
import { pairLevelPlan } from '../../src/registration/pair-level-plan.js';
import { openTileArray } from '../../src/zarrio/tile-array.js';
import { createArray, writeRegion } from '../../src/zarrio/write-array.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';
import type { PairRecord } from '../../src/formats/pairs.js';
import { buildCampaignPyramids } from '../../src/pyramid/build-campaign-pyramids.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { countingStore } from '../zarrio/_helpers.js';
import { shiftError, trueShift } from './_helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-c2f-'));

interface WindowRec {
  start: Vec3;
  size: Vec3;
  status: string;
  inlier?: boolean;
}

function params(over: Partial<PairParams> = {}): PairParams {
  return { downsample: [1, 2, 2], peaks: 5, apodization: 0.05, peak_smoothing: 1, min_correlation: 0.3, min_isotropy: -0.05, subvoxel: 'gradient', coarse_voxels: 4096, windows: 8, window_size: 128, memory_mb: 1536, ...over };
}

describe('coarse-to-fine pair registration', () => {
  it('a coarse level off by more than a voxel is brought within 0.1 voxel by the full-resolution windows', async () => {
    // coarse_voxels 4096 puts these overlaps at 4× (integer shifts there are up to ±2 voxels off).
    const res = await synthCampaign({ outDir: tmp(), seed: 31, grid: [1, 2, 2], tileShape: [64, 128, 128], overlap: 0.25, stageError: 4, noise: 0.01, extraConfig: { registration: { coarse_voxels: 4096 } } });
    const { pairs } = (await registerCampaign(res.configPath, { workers: 1 })).pairs;
    const grid = (id: string) => id.split('_').slice(1).map(Number);
    const faces = pairs.filter((p) => grid(p.a).reduce((s, v, i) => s + Math.abs(v - grid(p.b)[i]), 0) === 1);
    expect(faces).toHaveLength(4);
    let coarseOff = 0;
    for (const p of faces) {
      expect({ pair: `${p.a}-${p.b}`, status: p.status, level: p.level }).toEqual({ pair: `${p.a}-${p.b}`, status: 'ok', level: 2 });
      expect(p.level_factors).toEqual([4, 4, 4]);
      const t = trueShift(res, p);
      const c = p.coarse_shift as Vec3;
      if (Math.hypot(c[0] - t[0], c[1] - t[1], c[2] - t[2]) > 1) coarseOff++;
      expect({ pair: `${p.a}-${p.b}`, error: shiftError(res, p) }).toSatisfy((v: { error: number }) => v.error <= 0.1);
      const windows = p.windows as WindowRec[];
      expect(windows.length).toBeGreaterThan(0);
      expect(p.windows_agreeing).toBeGreaterThanOrEqual(Math.min(2, windows.length));
      expect(p.window_agreement as number).toBeLessThan(0.5);
      for (const w of windows) expect(w.size.every((s) => s <= 128)).toBe(true);
    }
    expect(coarseOff).toBeGreaterThan(0);
  });

  it('finds the texture in one corner of an otherwise blank overlap and registers on it', async () => {
    const res = await synthCampaign({ outDir: tmp(), seed: 32, grid: [1, 1, 2], tileShape: [64, 128, 128], overlap: 0.3, stageError: 3, noise: 0.01, extraConfig: { registration: { coarse_voxels: 4096, window_size: 32 } } });
    const campaign = await openCampaign(res.configPath);
    // Fade everything but the corner z < 24, y < 40 (global frame, of tile a) to the tile's mean,
    // smoothly (a sharp cut would be sampled differently by the two tiles; the mean keeps each tile an
    // affine image of the same sample under its gain): the overlap runs along x.
    const corner: Vec3 = [24, 40, 128];
    const origin = res.truth.tiles[campaign.tiles[0].id].position;
    const fade = (v: number, edge: number): number => 1 / (1 + Math.exp((v - edge) / 2));
    for (const t of campaign.tiles) {
      const arr = await campaign.openTile(t.id);
      const whole = await arr.readRegion({ start: [0, 0, 0], size: t.shape });
      const data = whole.data as Uint16Array;
      const [d, h, w] = t.shape;
      const pos = res.truth.tiles[t.id].position;
      const mean = data.reduce((acc, v) => acc + v, 0) / data.length;
      for (let z = 0; z < d; z++)
        for (let y = 0; y < h; y++) {
          const keep = fade(pos[0] + z - origin[0], corner[0]) * fade(pos[1] + y - origin[1], corner[1]);
          for (let x = 0, o = (z * h + y) * w; x < w; x++, o++) data[o] = Math.round(mean + (data[o] - mean) * keep);
        }
      const out = await createArray(res.storePath, t.array, { shape: t.shape, chunks: [32, 64, 64], dtype: 'uint16', compressor: 'blosc-zstd' });
      await writeRegion(out, [0, 0, 0], t.shape, data);
    }
    const [p] = (await registerCampaign(res.configPath, { workers: 1 })).pairs.pairs;
    expect({ status: p.status, reason: p.reason }).toEqual({ status: 'ok', reason: undefined });
    expect(p.level).toBeGreaterThan(0);
    expect(shiftError(res, p)).toBeLessThanOrEqual(0.15);
    const windows = p.windows as WindowRec[];
    expect(windows.length).toBeGreaterThan(0);
    // Every window reaches into the textured corner.
    for (const w of windows) expect(w.start[0] < corner[0] && w.start[1] < corner[1]).toBe(true);

  });

  it('reads only the chunks of the level and of the windows it uses', async () => {
    const res = await synthCampaign({ outDir: tmp(), seed: 33, grid: [1, 1, 2], tileShape: [64, 128, 192], overlap: 0.3, stageError: 3, noise: 0.01 });
    const campaign = await openCampaign(res.configPath);
    const [pair] = findOverlaps(campaign.tiles, campaign.config.registration);
    // A stored 4× level for each tile (a pyramid), written beside the tiles.
    const levels = new Map<string, Vec3>();
    for (const t of campaign.tiles) {
      const arr = await campaign.openTile(t.id);
      const shape = t.shape.map((s) => Math.ceil(s / 4)) as Vec3;
      const coarse = await arr.readRegion({ start: [0, 0, 0], size: t.shape }, { downsample: [4, 4, 4] });
      const out = await createArray(res.storePath, `${t.array}_l2`, { shape, chunks: [8, 16, 16], dtype: 'float32', compressor: 'none' });
      await writeRegion(out, [0, 0, 0], shape, coarse.data);
      levels.set(t.id, shape);
    }
    const counting = countingStore(res.storePath);
    const source = async (id: string) => {
      const t = campaign.tileById.get(id)!;
      const l0 = await openTileArray(counting.store, t.array, '', { cache: null });
      const l2 = await openTileArray(counting.store, `${t.array}_l2`, '', { cache: null });
      return {
        shape: t.shape,
        fieldOfView: 'full' as const,
        readRegion: (box: Box3, o?: { downsample?: Vec3 }) => l0.readRegion(box, o),
        levels: [
          { factors: [1, 1, 1] as Vec3, shape: t.shape, readRegion: (box: Box3, o?: { downsample?: Vec3 }) => l0.readRegion(box, o) },
          { factors: [4, 4, 4] as Vec3, shape: levels.get(id)!, readRegion: (box: Box3, o?: { downsample?: Vec3 }) => l2.readRegion(box, o) },
        ],
      };
    };
    const job: PairJobPayload = { campaign: res.configPath, a: pair.a, b: pair.b, boxA: pair.boxA, boxB: pair.boxB, nominalShift: pair.nominalShift, margin: pair.margin, minOverlap: pair.minOverlap, params: params({ coarse_voxels: 4096 }), key: 'k' };
    const [ta, tb] = await Promise.all([source(pair.a), source(pair.b)]);
    counting.gets.length = 0;
    const rec: PairRecord = await registerPair(job, ta, tb);
    expect(rec.status).toBe('ok');
    expect(rec.level_factors).toEqual([4, 4, 4]);
    expect(shiftError(res, rec)).toBeLessThanOrEqual(0.15);
    const windows = rec.windows as WindowRec[];
    // Level-0 chunks read: only those that a window touches (in a, or in b around the coarse shift).
    const coarse = rec.coarse_shift as Vec3;
    const chunkKeys = (array: string, box: Box3, chunks: Vec3): Set<string> => {
      const out = new Set<string>();
      const lo = [0, 1, 2].map((ax) => Math.floor(Math.max(0, box.start[ax]) / chunks[ax]));
      const hi = [0, 1, 2].map((ax) => Math.floor((box.start[ax] + box.size[ax] - 1) / chunks[ax]));
      for (let z = lo[0]; z <= hi[0]; z++) for (let y = lo[1]; y <= hi[1]; y++) for (let x = lo[2]; x <= hi[2]; x++) out.add(`/${array}/c/${z}/${y}/${x}`);
      return out;
    };
    const allowed = new Set<string>();
    const A = campaign.tileById.get(pair.a)!, B = campaign.tileById.get(pair.b)!;
    for (const w of windows) {
      for (const k of chunkKeys(A.array, w, [32, 64, 64])) allowed.add(k);
      // b's window is a's, moved by the coarse shift and grown by the window search radius (≤ 6).
      const inB: Box3 = { start: w.start.map((s, ax) => s - coarse[ax] - 6) as Vec3, size: w.size.map((s) => s + 12) as Vec3 };
      for (const k of chunkKeys(B.array, inB, [32, 64, 64])) allowed.add(k);
    }
    const level0 = counting.gets.filter((k) => /\/c\//.test(k) && !k.includes('_l2/'));
    const level2 = counting.gets.filter((k) => k.includes('_l2/c/'));
    expect(level2.length).toBeGreaterThan(0);
    for (const k of level0) expect(allowed.has(k), k).toBe(true);
    // Fewer level-0 chunks than reading the two overlap boxes whole would.
    const whole = new Set([...chunkKeys(A.array, pair.boxA, [32, 64, 64]), ...chunkKeys(B.array, pair.boxB, [32, 64, 64])]);
    expect(new Set(level0).size).toBeLessThan(whole.size);
  });

  it('registers from the tile pyramids built by `stitchgraph pyramid`, as accurately', async () => {
    const res = await synthCampaign({ outDir: tmp(), seed: 34, grid: [1, 1, 2], tileShape: [64, 128, 128], overlap: 0.25, stageError: 3, noise: 0.01, extraConfig: { registration: { coarse_voxels: 4096 } } });
    await buildCampaignPyramids(await openCampaign(res.configPath), { workers: 1 });
    const pyramid = await openTilePyramid(await openCampaign(res.configPath), 't_0_0_0');
    expect(pyramid.levels.length).toBeGreaterThan(1);
    const [p] = (await registerCampaign(res.configPath, { workers: 1 })).pairs.pairs;
    expect({ status: p.status, reason: p.reason }).toEqual({ status: 'ok', reason: undefined });
    expect(p.level as number).toBeGreaterThan(0);
    expect(pyramid.levels.some((l) => l.factors.every((f, ax) => f === (p.level_factors as Vec3)[ax]))).toBe(true);
    expect(shiftError(res, p)).toBeLessThanOrEqual(0.1);
  });

  it('plans the same coarse boxes and windows for tiles 8× larger (the memory of a job does not follow the tile)', () => {
    // bench/scale's two campaigns: 1×2×2 tiles of 96×512×512 and 192×1024×1024, overlap 0.12.
    const plans = ([[96, 512, 512], [192, 1024, 1024]] as Vec3[]).map((shape) => {
      const tiles = [0, 1].flatMap((y) => [0, 1].map((x) => ({ id: `t_0_${y}_${x}`, nominal: [0, Math.round(y * shape[1] * 0.88), Math.round(x * shape[2] * 0.88)] as Vec3, shape })));
      const settings = { min_overlap: 0.02, min_overlap_measured: 8, search_margin_fraction: 0.1, search_margin_min: 16 };
      return findOverlaps(tiles, settings).map((p) => pairLevelPlan({ ...p, params: {} }, { shape }, { shape }));
    });
    const voxels = (b: Box3) => b.size[0] * b.size[1] * b.size[2];
    plans[0].forEach((small, i) => {
      const large = plans[1][i];
      expect(voxels(large.choice.boxA)).toBe(voxels(small.choice.boxA));
      // Both windows are the default 64³: the small campaign's 61-voxel overlap (+ margins) no longer cuts them.
      expect([small.windowSize, large.windowSize]).toEqual([64, 64]);
    });
  });

  it('a pair that fits the memory budget at no level is an error naming the pair and the budget', () => {
    const job = { a: 'ta', b: 'tb', boxA: { start: [0, 0, 0] as Vec3, size: [2160, 300, 2560] as Vec3 }, boxB: { start: [0, 2260, 0] as Vec3, size: [2160, 300, 2560] as Vec3 }, params: { memory_mb: 0.001 } };
    expect(() => pairLevelPlan(job, { shape: [2160, 2560, 2560] }, { shape: [2160, 2560, 2560] })).toThrow(/Cannot register pair ta–tb: .*registration\.memory_mb = 0\.001 MiB/);
    // The default budget fits a brain-scale pair: coarse level within it, windows of the default 64.
    const plan = pairLevelPlan({ ...job, params: {} }, { shape: [2160, 2560, 2560] }, { shape: [2160, 2560, 2560] });
    expect(plan.choice.level).toBeGreaterThan(0);
    expect(plan.choice.bytes).toBeLessThan(1536 * 2 ** 20);
    expect(plan.windowSize).toBe(64);
  });
});

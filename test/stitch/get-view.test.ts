import { describe, it, expect } from 'vitest';
import type { Vec3 } from '../../src/geometry/box.js';
import type { BlendMode } from '../../src/stitch/blend-weight.js';
import type { Interpolation } from '../../src/stitch/compose-region.js';
import type { StitchedVolume } from '../../src/stitch/stitched-volume.js';
import { Random } from '../../src/synth/random.js';
import { makeCampaign } from './helpers.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';

/**
 * The definition of a view, written the slow and obvious way: for every output voxel, every
 * tile, every (up to 8) neighbour, straight from the whole tiles read in one piece.
 */
async function bruteForceView(vol: StitchedVolume, start: Vec3, size: Vec3, blend: BlendMode, width: number, interp: Interpolation, fill: number): Promise<Float32Array> {
  const tiles = await Promise.all(
    vol.tiles.map(async (t) => {
      const arr = await vol.campaign.openTile(t.info.id);
      const r = await arr.readRegion({ start: [0, 0, 0], size: t.info.shape });
      return { t, data: r.data };
    }),
  );
  const ramp = (dist: number) => {
    if (blend !== 'linear' && blend !== 'cosine') return 1;
    if (width <= 0) return 1;
    const u = Math.max(0, Math.min(1, dist / width));
    return blend === 'linear' ? u : 0.5 - 0.5 * Math.cos(Math.PI * u);
  };
  const out = new Float32Array(size[0] * size[1] * size[2]);
  for (let k = 0, o = 0; k < size[0]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[2]; i++, o++) {
        const g = [start[0] + k, start[1] + j, start[2] + i];
        let sum = 0, wsum = 0, best = -Infinity, first: number | undefined;
        for (const { t, data } of tiles) {
          const sh = t.info.shape;
          const valid = (z: number, y: number, x: number) => {
            if (z < 0 || y < 0 || x < 0 || z >= sh[0] || y >= sh[1] || x >= sh[2]) return false;
            const v = data[(z * sh[1] + y) * sh[2] + x];
            if (Number.isNaN(v) || (t.info.fillValue !== undefined && v === t.info.fillValue)) return false;
            if (t.info.fieldOfView === 'cylinder' && (y - (sh[1] - 1) / 2) ** 2 + (x - (sh[2] - 1) / 2) ** 2 > (Math.min(sh[1], sh[2]) / 2) ** 2) return false;
            return true;
          };
          const l = g.map((v, a) => v - t.position[a]);
          let v: number, c: number[];
          if (interp === 'nearest') {
            c = l.map((x) => Math.floor(x + 0.5));
            if (!valid(c[0], c[1], c[2])) continue;
            v = data[(c[0] * sh[1] + c[1]) * sh[2] + c[2]];
          } else {
            c = l;
            const f = l.map(Math.floor);
            const fr = l.map((x, a) => x - f[a]);
            v = 0;
            let ok = true;
            for (let dz = 0; dz < 2 && ok; dz++)
              for (let dy = 0; dy < 2 && ok; dy++)
                for (let dx = 0; dx < 2 && ok; dx++) {
                  const w = (dz ? fr[0] : 1 - fr[0]) * (dy ? fr[1] : 1 - fr[1]) * (dx ? fr[2] : 1 - fr[2]);
                  if (w === 0) continue;
                  if (!valid(f[0] + dz, f[1] + dy, f[2] + dx)) ok = false;
                  else v += w * data[((f[0] + dz) * sh[1] + f[1] + dy) * sh[2] + f[2] + dx];
                }
            if (!ok) continue;
          }
          let w = 1;
          for (let a = 0; a < 3; a++) if (sh[a] > 1) w *= ramp(Math.min(c[a] + 0.5, sh[a] - 0.5 - c[a]));
          if (t.info.fieldOfView === 'cylinder') w *= ramp(Math.min(sh[1], sh[2]) / 2 - Math.hypot(c[1] - (sh[1] - 1) / 2, c[2] - (sh[2] - 1) / 2));
          w = Math.max(w, 1e-6);
          sum += w * v;
          wsum += w;
          best = Math.max(best, v);
          first ??= v;
        }
        out[o] = first === undefined ? fill : blend === 'first' ? first : blend === 'max' ? best : sum / wsum;
      }
  return out;
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let o = 0; o < a.length; o++) m = Math.max(m, Math.abs(a[o] - b[o]) / Math.max(1, Math.abs(b[o])));
  return m;
}

describe('StitchedVolume.getView', () => {
  it('equals a brute-force compositing on random campaigns (seams, corners, outside the volume)', async () => {
    const blends: BlendMode[] = ['average', 'linear', 'cosine', 'max', 'first'];
    for (const seed of [3, 4]) {
      const rng = new Random(seed);
      const { volume } = await makeCampaign({ seed, fieldOfView: seed === 4 ? 'cylinder' : 'full', tileShape: [12, 20, 22], overlap: 0.25 }, { cacheBytes: 1 << 20 });
      for (let trial = 0; trial < 6; trial++) {
        const blend = blends[(trial + seed) % blends.length];
        const interp: Interpolation = trial % 2 ? 'linear' : 'nearest';
        const width = trial % 3 === 0 ? 0 : 2 + rng.uniform(0, 6);
        // Regions around the tile corners and seams (the middle of the volume) and some beyond its edge.
        const size: Vec3 = [1 + Math.floor(rng.uniform(0, 10)), 5 + Math.floor(rng.uniform(0, 20)), 5 + Math.floor(rng.uniform(0, 20))];
        const start = [0, 1, 2].map((a) => Math.round(volume.origin[a] + volume.shape[a] * rng.uniform(-0.2, 1) - size[a] / 2)) as Vec3;
        const fill = trial === 5 ? -7 : 0;
        const view = await volume.getView(start, size, { blend, blendWidth: width, interpolation: interp, fillValue: fill, intensityCorrection: false });
        const ref = await bruteForceView(volume, start, size, blend, width, interp, fill);
        expect(view.shape).toEqual(size);
        expect(maxRelDiff(view.data, ref), `seed ${seed} trial ${trial} ${blend} ${interp} at [${start}] size [${size}]`).toBeLessThan(1e-5);
      }
      // A region across the centre, where all eight tiles meet, with every blend.
      const centre = volume.origin.map((o, a) => o + Math.floor(volume.shape[a] / 2) - 4) as Vec3;
      for (const blend of blends) {
        const view = await volume.getView(centre, [8, 8, 8], { blend, intensityCorrection: false });
        const ref = await bruteForceView(volume, centre, [8, 8, 8], blend, 16, 'nearest', 0);
        expect(maxRelDiff(view.data, ref), blend).toBeLessThan(1e-5);
      }
    }
  });

  it('handles 2-D campaigns (tiles of one plane): views equal the brute force, levels do not halve z', async () => {
    const { volume } = await makeCampaign({ seed: 14, grid: [1, 2, 2], tileShape: [1, 40, 36], overlap: 0.3 });
    expect(volume.shape[0]).toBe(1);
    expect(volume.levelStep(1)).toEqual([1, 2, 2]);
    const start: Vec3 = [0, volume.origin[1] - 3, volume.origin[2] + 10];
    for (const blend of ['cosine', 'max'] as BlendMode[]) {
      const view = await volume.getView(start, [1, 60, 40], { blend, blendWidth: 5, interpolation: 'linear', intensityCorrection: false });
      const ref = await bruteForceView(volume, start, [1, 60, 40], blend, 5, 'linear', 0);
      expect(maxRelDiff(view.data, ref), blend).toBeLessThan(1e-5);
    }
  });

  it('equals the phantom exactly on a noise-free campaign at its true integer positions with `first`', async () => {
    const { volume, synth } = await makeCampaign({ seed: 11, integerPositions: true, noise: 0, gainRange: [1, 1], tileShape: [16, 24, 24] });
    const { scale, offset } = synth.truth.appearance;
    // The phantom frame is the global frame; voxels in no tile (the union of tiles is not a box) get the fill value.
    const inTile = (g: number[]) => volume.tiles.some((t) => g.every((v, a) => v >= t.position[a] && v < t.position[a] + t.info.shape[a]));
    for (const [start, size] of [
      [volume.origin, volume.shape],
      [[volume.origin[0] + 5, volume.origin[1] + 9, volume.origin[2] + 13], [10, 20, 17]],
    ] as [Vec3, Vec3][]) {
      const view = await volume.getView(start, size, { blend: 'first', dtype: 'tile' });
      expect(view.dtype).toBe('uint16');
      const img = synth.renderer.render(start, size);
      let mismatches = 0, covered = 0;
      for (let k = 0, o = 0; k < size[0]; k++)
        for (let j = 0; j < size[1]; j++)
          for (let i = 0; i < size[2]; i++, o++) {
            const inside = inTile([start[0] + k, start[1] + j, start[2] + i]);
            const expected = inside ? Math.max(1, Math.min(65535, Math.round(offset + scale * img[o]))) : 0;
            if (inside) covered++;
            if (view.data[o] !== expected) mismatches++;
          }
      expect(covered).toBeGreaterThan(img.length / 2);
      expect(mismatches).toBe(0);
    }
  });

  it('reads only the chunks a view needs, serves repeats from the cache, and is safe under concurrency', async () => {
    const { volume } = await makeCampaign({ seed: 5 });
    // The low corner of the first tile: one chunk of one tile.
    const start = volume.tiles[0].position.map(Math.ceil) as Vec3;
    const a = await volume.getView(start, [4, 4, 4], { intensityCorrection: false });
    expect(volume.cache.stats().misses).toBe(1);
    const views = await Promise.all(Array.from({ length: 6 }, (_, k) => volume.getView([start[0] + k, start[1], start[2]], [10, 30, 30], { intensityCorrection: false })));
    const serial: Awaited<ReturnType<typeof volume.getView>>[] = [];
    for (let k = 0; k < 6; k++) serial.push(await volume.getView([start[0] + k, start[1], start[2]], [10, 30, 30], { intensityCorrection: false }));
    views.forEach((v, k) => expect(Array.from(v.data)).toEqual(Array.from(serial[k].data)));
    expect(Array.from(a.data)).toEqual(Array.from((await volume.getView(start, [4, 4, 4], { intensityCorrection: false })).data));
    expect(volume.cache.stats().hits).toBeGreaterThan(0);
  });

  it('computes big views in pieces with the same result, at every level', async () => {
    const { campaign, positionsPath, volume } = await makeCampaign({ seed: 16 });
    const pieces = await openStitchedVolume(campaign, positionsPath, { maxPieceVoxels: 700 });
    for (const level of [0, 1, 2]) {
      const e = volume.levelExtent(level);
      const whole = await volume.getView(e.lo, e.shape, { level, blend: 'linear' });
      const pieced = await pieces.getView(e.lo, e.shape, { level, blend: 'linear' });
      expect(Array.from(pieced.data), `level ${level}`).toEqual(Array.from(whole.data));
    }
  });

  it('level 1 is the 2×2×2 mean of level 0 inside the volume', async () => {
    const { volume } = await makeCampaign({ seed: 6 });
    const ext1 = volume.levelExtent(1);
    const v1 = await volume.getView(ext1.lo, ext1.shape, { level: 1, blend: 'linear', intensityCorrection: false });
    const v0 = await volume.getView(volume.origin, volume.shape, { blend: 'linear', intensityCorrection: false });
    const [, h, w] = volume.shape;
    for (const q of [[0, 0, 0], [3, 5, 7], ext1.shape.map((s) => s - 1)] as Vec3[]) {
      let s = 0, n = 0;
      for (let dz = 0; dz < 2; dz++)
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const g = [(ext1.lo[0] + q[0]) * 2 + dz, (ext1.lo[1] + q[1]) * 2 + dy, (ext1.lo[2] + q[2]) * 2 + dx].map((v, a) => v - volume.origin[a]);
            if (g.some((v, a) => v < 0 || v >= volume.shape[a])) continue;
            s += v0.data[(g[0] * h + g[1]) * w + g[2]];
            n++;
          }
      expect(v1.data[(q[0] * ext1.shape[1] + q[1]) * ext1.shape[2] + q[2]]).toBeCloseTo(s / n, 3);
    }
  });
});

import { describe, it, expect } from 'vitest';
import { composeRegion, type TileBlock } from '../../src/stitch/compose-region.js';
import { downsampleMean } from '../../src/stitch/downsample-mean.js';
import { blendWeight, borderDistance, MIN_WEIGHT, type BlendMode } from '../../src/stitch/blend-weight.js';
import { Random } from '../../src/synth/random.js';
import type { Vec3 } from '../../src/geometry/box.js';

// The row-wise compositing and the gathering pyramid step must give what whole-region float64
// sums give, to the bit: fused output is compared with getView voxel for voxel.

/** Whole-region sums, voxel by voxel, in tile order (nearest sampling), as the compositor defines them. */
function referenceCompose(start: Vec3, size: Vec3, tiles: TileBlock[], blend: BlendMode, width: number, fill: number): Float32Array {
  const n = size[0] * size[1] * size[2];
  const acc = new Float64Array(n), wsum = new Float64Array(n), covered = new Uint8Array(n);
  for (const tb of tiles)
    for (let o = 0; o < n; o++) {
      const g = [Math.floor(o / (size[1] * size[2])), Math.floor(o / size[2]) % size[1], o % size[2]];
      let wt = 1, idx = 0, inside = true;
      for (let a = 0; a < 3; a++) {
        const l = Math.floor(start[a] + g[a] - tb.position[a] + 0.5);
        if (l < 0 || l >= tb.tileShape[a]) inside = false;
        const wa = tb.tileShape[a] === 1 ? 1 : Math.fround(blendWeight(blend, borderDistance(l, tb.tileShape[a]), width));
        wt = a === 0 ? wa : wt * wa;
        idx = idx * tb.size[a] + (l - tb.lo[a]);
      }
      if (!inside) continue;
      const v = tb.data[idx];
      if (v !== v) continue;
      if (wt < MIN_WEIGHT) wt = MIN_WEIGHT;
      acc[o] += wt * (tb.gain * v + tb.offset);
      wsum[o] += wt;
      covered[o] = 1;
    }
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) out[o] = covered[o] ? acc[o] / wsum[o] : fill;
  return out;
}

function randomTile(rng: Random, position: Vec3, shape: Vec3, corrected: boolean): TileBlock {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.02 ? NaN : Math.floor(rng.next() * 4000);
  const gain = corrected ? 0.8 + 0.4 * rng.next() : 1, offset = corrected ? 10 * rng.next() - 5 : 0;
  return { position, tileShape: shape, lo: [0, 0, 0], size: shape, data, cylinder: false, gain, offset };
}

describe('compositing fast paths', () => {
  for (const corrected of [false, true])
    for (const blend of ['cosine', 'linear', 'average'] as const)
      it(`composes rows equal to whole-region sums (${blend}, intensity correction ${corrected})`, () => {
        const rng = new Random(corrected ? 11 : 5);
        const shape: Vec3 = [6, 9, 11];
        const tiles = [randomTile(rng, [0, 0, 0], shape, corrected), randomTile(rng, [0.4, 0, 7.3], shape, corrected), randomTile(rng, [3, 6.6, 2], shape, corrected)];
        const start: Vec3 = [-1, -2, -1], size: Vec3 = [11, 17, 22];
        const got = composeRegion(start, size, tiles, { blend, blendWidth: 3, interpolation: 'nearest', fillValue: -7 }).data;
        expect(Array.from(got)).toEqual(Array.from(referenceCompose(start, size, tiles, blend, 3, -7)));
      });
});

/** The pyramid step as a scatter into float64 sums (its definition). */
function referenceDownsample(data: ArrayLike<number>, start: Vec3, size: Vec3, f: Vec3, lo: Vec3, hi: Vec3, fill: number): Float32Array {
  const shape = size.map((s, a) => Math.ceil(s / f[a]));
  const sum = new Float64Array(shape[0] * shape[1] * shape[2]), cnt = new Uint16Array(sum.length);
  for (let k = 0, o = 0; k < size[0]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[2]; i++, o++) {
        const g = [start[0] + k, start[1] + j, start[2] + i];
        if (g.some((v, a) => v < lo[a] || v >= hi[a])) continue;
        const q = (Math.floor(k / f[0]) * shape[1] + Math.floor(j / f[1])) * shape[2] + Math.floor(i / f[2]);
        sum[q] += data[o];
        cnt[q]++;
      }
  return Float32Array.from(sum, (s, q) => (cnt[q] ? s / cnt[q] : fill));
}

describe('downsampleMean', () => {
  it('gathers the same means as the scatter into float64 sums, at the extent borders too', () => {
    const rng = new Random(3);
    const size: Vec3 = [5, 8, 9];
    const data = Float32Array.from({ length: 5 * 8 * 9 }, () => rng.next() * 1000);
    for (const f of [[2, 2, 2], [1, 2, 2], [2, 1, 2]] as Vec3[]) {
      const start: Vec3 = [2, 4, 6], lo: Vec3 = [3, 4, 7], hi: Vec3 = [7, 11, 14];
      expect(Array.from(downsampleMean(data, start, size, f, lo, hi, -1).data)).toEqual(Array.from(referenceDownsample(data, start, size, f, lo, hi, -1)));
    }
  });
});

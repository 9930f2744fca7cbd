import { describe, it, expect } from 'vitest';
import { makeCampaign } from './helpers.js';
import { intensityModel } from '../../src/stitch/intensity-model.js';
import { solveGraphOffsets } from '../../src/stitch/solve-graph-offsets.js';

describe('intensity correction', () => {
  it('solves differences on a graph with one node per component held at 0', () => {
    // Truth x = [0, 2, 5, 0, -1]: a chain 0-1-2 and a pair 3-4, values x_a - x_b.
    const x = solveGraphOffsets(5, [
      { a: 1, b: 0, value: 2, weight: 1 },
      { a: 2, b: 1, value: 3, weight: 1 },
      { a: 2, b: 0, value: 5, weight: 2 },
      { a: 4, b: 3, value: -1, weight: 1 },
    ]);
    [0, 2, 5, 0, -1].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 9));
  });

  it('recovers the per-tile gains of a campaign from its overlaps and evens out the seams', async () => {
    const { volume, synth } = await makeCampaign({ seed: 21, gainRange: [0.6, 1.4], noise: 0.02, tileShape: [16, 28, 28], overlap: 0.3 });
    const model = await volume.intensity();
    expect(model.helps).toBe(true);
    expect(model.rmsAfter).toBeLessThan(0.5 * model.rmsBefore);
    const g = volume.tiles.map((t) => synth.truth.tiles[t.info.id].gain);
    // Corrected = gain·raw + offset, raw = g·(contrast): gain·g must be the same for every tile.
    const ref = model.gain[0] * g[0];
    volume.tiles.forEach((t) => expect(Math.abs((model.gain[t.index] * g[t.index]) / ref - 1), t.info.id).toBeLessThan(0.03));
    // Views apply it by default: a region in one tile (not the first) is scaled towards tile 0's brightness.
    const t = volume.tiles[7];
    const start = t.position.map((p, a) => Math.ceil(p) + t.info.shape[a] - 3) as [number, number, number];
    const on = await volume.getView(start, [2, 2, 2], { blend: 'first' });
    const off = await volume.getView(start, [2, 2, 2], { blend: 'first', intensityCorrection: false });
    expect(on.data[0]).toBeCloseTo(model.gain[7] * off.data[0] + model.offset[7], 1);
    expect(on.data[0]).not.toBeCloseTo(off.data[0], 0);
  });

  it('is not applied when it does not help', () => {
    // Two tiles already equal: nothing is gained on the held-out half, so the identity is kept.
    const x = Float32Array.from({ length: 400 }, (_, i) => (i * 7919) % 101);
    const m = intensityModel(2, [{ a: 0, b: 1, x, y: x }]);
    expect(m.helps).toBe(false);
    expect(Array.from(m.gain)).toEqual([1, 1]);
    expect(m.reason).toMatch(/not applied/);
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import type { GraphPiece } from '../../src/analysis/streaming-graph-merge.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { memoryReader } from './_memory-reader.js';

/** Short oblique rods (radius 1.3, about 12 voxels long) at seeded random places: many small components. */
function rods(shape: Vec3, count: number, seed: number): Uint8Array {
  const [D, H, W] = shape;
  const m = new Uint8Array(D * H * W);
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let k = 0; k < count; k++) {
    const c = [3 + rnd() * (D - 6), 3 + rnd() * (H - 6), 3 + rnd() * (W - 6)];
    const d = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5];
    const n = Math.hypot(d[0], d[1], d[2]);
    const u = d.map((v) => v / n);
    for (let z = Math.max(0, Math.floor(c[0] - 8)); z <= Math.min(D - 1, c[0] + 8); z++)
      for (let y = Math.max(0, Math.floor(c[1] - 8)); y <= Math.min(H - 1, c[1] + 8); y++)
        for (let x = Math.max(0, Math.floor(c[2] - 8)); x <= Math.min(W - 1, c[2] + 8); x++) {
          const p = [z - c[0], y - c[1], x - c[2]];
          const t = Math.max(-6, Math.min(6, p[0] * u[0] + p[1] * u[1] + p[2] * u[2]));
          if (Math.hypot(p[0] - t * u[0], p[1] - t * u[1], p[2] - t * u[2]) <= 1.3) m[(z * H + y) * W + x] = 1;
        }
  }
  return m;
}

/** Most skeleton voxels in two consecutive layers of blocks (z). */
function twoLayerPeak(indices: ArrayLike<number>, shape: Vec3, blockZ: number): number {
  const layers = new Array<number>(Math.ceil(shape[0] / blockZ)).fill(0);
  for (let i = 0; i < indices.length; i++) layers[Math.floor(Math.floor(indices[i] / (shape[1] * shape[2])) / blockZ)]++;
  let peak = layers[0];
  for (let l = 1; l < layers.length; l++) peak = Math.max(peak, layers[l - 1] + layers[l]);
  return peak;
}

describe('streamed skeleton graph: coordinator state', () => {
  const shape: Vec3 = [96, 40, 40];
  const block: Vec3 = [16, 20, 20];
  const img = rods(shape, 70, 5);

  for (const connectivity of [26, 6] as const) {
    it(`holds the skeletons of about two layers of blocks, not of the network; same network as one block (${connectivity}-connectivity)`, async () => {
      const settings = { threshold: 0.5, min_size: 0, connectivity };
      const whole = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { block: shape });
      const dir = await mkdtemp(join(tmpdir(), 'sg-graph-state-'));
      try {
        const pieces: GraphPiece[] = [];
        const a = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { block, blockDir: dir, keepGraph: false, onGraphPiece: (p) => pieces.push(p) });
        expect(whole.summary.n_components).toBeGreaterThan(30);
        const { parameters: _p, ...totals } = a.summary;
        const { parameters: _w, ...wholeTotals } = whole.summary;
        expect(totals).toEqual({ ...wholeTotals, total_length_um: expect.closeTo(wholeTotals.total_length_um, 6), length_density_per_mm3: expect.closeTo(wholeTotals.length_density_per_mm3, 3), mean_radius_um: expect.closeTo(wholeTotals.mean_radius_um, 6) });
        // keepGraph false: the result holds no network; the pieces carry it, with global ids.
        expect(a.graph.nodes).toHaveLength(0);
        expect(a.skeleton.indices).toHaveLength(0);
        const nodes = pieces.flatMap((p) => p.nodes), branches = pieces.flatMap((p) => p.branches);
        expect(nodes.map((n) => n.id)).toEqual(nodes.map((_, i) => i));
        expect(branches.map((b) => b.id)).toEqual(branches.map((_, i) => i));
        expect(nodes.length).toBe(whole.graph.nodes.length);
        for (const b of branches) expect(nodes[b.src].component).toBe(b.component);
        // Each component arrives whole, once.
        const seen = new Set<number>();
        for (const p of pieces) for (const c of new Set(p.skeleton.component)) {
          expect(seen.has(c)).toBe(false);
          seen.add(c);
        }
        const indices = pieces.flatMap((p) => Array.from(p.skeleton.indices));
        expect(indices.sort((x, y) => x - y)).toEqual(Array.from(whole.skeleton.indices).sort((x, y) => x - y));
        // Retained graph state: the skeletons of components not yet whole, about two layers of
        // blocks (rods are shorter than a block), a fraction of the whole network.
        const state = a.mergeState;
        expect(state.graphVoxels).toBe(indices.length);
        expect(state.peakRetainedGraphVoxels).toBeGreaterThan(0);
        expect(state.peakRetainedGraphVoxels).toBeLessThanOrEqual(twoLayerPeak(indices, shape, block[0]));
        expect(state.peakRetainedGraphVoxels).toBeLessThan(state.graphVoxels / 2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

import { describe, expect, it } from 'vitest';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { eulerContributions, EULER_SCALE } from '../../src/analysis/euler-contributions.js';
import { labelComponents } from '../../src/analysis/label-components.js';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import type { SkeletonGraph } from '../../src/graph/skeleton-graph.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { memoryReader } from './_memory-reader.js';
import { runPython } from './_python.js';

type Shape = (z: number, y: number, x: number) => boolean;

function maskOf(shape: Vec3, inside: Shape): Uint8Array {
  const m = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0, o = 0; z < shape[0]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++, o++) m[o] = inside(z, y, x) ? 1 : 0;
  return m;
}

const torus = (c: Vec3, R: number, r: number): Shape => (z, y, x) => {
  const q = Math.hypot(y - c[1], x - c[2]) - R;
  return q * q + (z - c[0]) ** 2 <= r * r;
};
const rod = (a: Vec3, b: Vec3, r: number): Shape => (z, y, x) => {
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const t = Math.max(0, Math.min(1, ((z - a[0]) * d[0] + (y - a[1]) * d[1] + (x - a[2]) * d[2]) / (d[0] ** 2 + d[1] ** 2 + d[2] ** 2)));
  return Math.hypot(z - a[0] - t * d[0], y - a[1] - t * d[1], x - a[2] - t * d[2]) <= r;
};
const union = (...s: Shape[]): Shape => (z, y, x) => s.some((f) => f(z, y, x));

/** Connected pieces of the skeleton graph (nodes joined by branches). */
function graphPieces(g: SkeletonGraph): number {
  const p = g.nodes.map((n) => n.id);
  const f = (a: number): number => (p[a] === a ? a : (p[a] = f(p[a])));
  for (const b of g.branches) p[f(b.src)] = f(b.dst);
  return p.filter((v, i) => f(i) === i).length;
}

describe('Euler number of the mask', () => {
  it('equals scikit-image measure.euler_number (26- and 6-connectivity) on a random mask', () => {
    const shape: Vec3 = [14, 15, 16];
    let s = 7;
    const mask = new Uint8Array(shape[0] * shape[1] * shape[2]).map(() => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 < 0.3 ? 1 : 0));
    for (const conn of [26, 6] as const) {
      const { labels, count } = labelComponents(mask, shape, conn);
      const chi = eulerContributions(mask, shape, [0, 0, 0], labels, count, shape, conn).reduce((a, b) => a + b, 0) / EULER_SCALE;
      const out = runPython(
        `from skimage.measure import euler_number\nm=np.fromfile(D+'/m.raw',dtype=np.uint8).reshape(${shape.join(',')})\nnp.array([euler_number(m, connectivity=${conn === 26 ? 3 : 1})],dtype=np.float64).tofile(D+'/e.raw')`,
        { m: mask },
        ['e'],
      );
      expect(chi).toBe(new Float64Array(out.e.buffer, out.e.byteOffset, 1)[0]);
    }
  });
});

describe('cyclomatic number = β1 of the mask, block-wise', () => {
  it('tori, a ladder whose rungs crowd into one junction cluster, a hollow ball', async () => {
    const shape: Vec3 = [24, 60, 90];
    const rails = [rod([12, 8, 5], [12, 8, 85], 2.5), rod([12, 20, 5], [12, 20, 85], 2.5)];
    // Rungs 7 voxels apart: their junctions merge into clusters, which hid loops from E − V + C.
    const rungs = [40, 47, 54, 70].map((x) => rod([12, 8, x], [12, 20, x], 2.2));
    const inside = union(torus([12, 42, 20], 8, 2.5), torus([12, 42, 60], 9, 3), ...rails, ...rungs, (z, y, x) => {
      const d = Math.hypot(z - 12, y - 44, x - 82);
      return d <= 6 && d >= 3.5;
    });
    const vol = maskOf(shape, inside);
    // β1: 1 per torus, rungs − 1 for the ladder, 0 for the hollow ball (a cavity, not a loop).
    const expected = 1 + 1 + (rungs.length - 1);
    for (const block of [shape, [16, 32, 32]] as Vec3[]) {
      const a = await analyzeVolume(memoryReader(vol, shape), shape, { threshold: 0.5, min_size: 10 }, [1, 1, 1], undefined, { block });
      expect(a.summary.cyclomatic_number).toBe(expected);
      expect(a.summary.n_labelled_components).toBe(4);
      expect(a.summary.euler_number).toBe(0 + 0 + (1 - (rungs.length - 1)) + 2);
    }
  });

  it('a one-voxel hole at a crossing: its loop lies inside one junction cluster, where E − V + C loses it', async () => {
    const shape: Vec3 = [5, 20, 30];
    const m = new Uint8Array(5 * 20 * 30);
    const set = (z: number, y: number, x: number) => (m[(z * 20 + y) * 30 + x] = 1);
    for (let x = 3; x < 27; x++) [8, 10].forEach((y) => set(2, y, x));
    [12, 14].forEach((x) => set(2, 9, x));
    for (let y = 2; y < 18; y++) if (y < 8 || y > 10) set(2, y, 13);
    const a = await analyzeVolume(memoryReader(m, shape), shape, { threshold: 0.5, min_size: 1, prune_radius_factor: 0 }, [1, 1, 1]);
    expect(a.summary.n_junctions).toBe(1);
    expect(a.summary.graph_cyclomatic_number).toBe(0);
    expect(a.summary.cyclomatic_number).toBe(1);
  });
});

describe('halo follows the largest radius', () => {
  it('thick vessels crossing block faces stay one piece each, as in one block', async () => {
    const shape: Vec3 = [36, 72, 150];
    const vol = maskOf(shape, union(rod([18, 18, 3], [18, 18, 146], 11), rod([18, 54, 3], [20, 52, 146], 9)));
    const settings = { threshold: 0.5, min_size: 10, halo: 2 };
    const whole = await analyzeVolume(memoryReader(vol, shape), shape, settings, [1, 1, 1], undefined, { block: shape });
    const a = await analyzeVolume(memoryReader(vol, shape), shape, settings, [1, 1, 1], undefined, { block: [36, 72, 40] });
    expect(graphPieces(whole.graph)).toBe(2);
    expect(a.haloUsed).toBeGreaterThan(11);
    expect(a.warnings).toEqual([]);
    expect(graphPieces(a.graph)).toBe(2);
    expect(a.summary.n_branches).toBe(whole.summary.n_branches);
    expect(a.summary.total_length_um).toBeCloseTo(whole.summary.total_length_um, 6);
    // Blocks too small for the radius: the halo stops at half a block and a warning says what to use.
    const small = await analyzeVolume(memoryReader(vol, shape), shape, settings, [1, 1, 1], undefined, { block: [36, 72, 16] });
    expect(small.haloUsed).toBe(8);
    expect(small.warnings).toHaveLength(1);
    expect(small.warnings[0]).toMatch(/largest radius 1\d\.\d\d µm needs a halo of \d+ voxels.*analysis\.block ≥ \d+/);
  });
});

describe('coordinator state of the merge', () => {
  it('holds the shells of about one layer of blocks, not of the volume; same result as one block', async () => {
    const shape: Vec3 = [96, 48, 48];
    const net = generateVesselNetwork({ shape, seed: 3, lengthDensity: 0.02 });
    const img = new PhantomRenderer(net, { seed: 3 }).mask([0, 0, 0], shape);
    const settings = { threshold: 0.5, min_size: 0 };
    const block: Vec3 = [16, 16, 16];
    const whole = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { block: shape });
    const a = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { block });
    const { parameters: _p, ...totals } = a.summary;
    const { parameters: _w, ...wholeTotals } = whole.summary;
    expect(totals).toEqual({ ...wholeTotals, total_length_um: expect.closeTo(wholeTotals.total_length_um, 6), length_density_per_mm3: expect.closeTo(wholeTotals.length_density_per_mm3, 3), mean_radius_um: expect.closeTo(wholeTotals.mean_radius_um, 6) });
    expect(a.components).toHaveLength(whole.components.length);
    // A block is released once (bz+1, by+1, bx+1) is merged: one layer of blocks, one row and one block.
    const [gy, gx] = [shape[1] / block[1], shape[2] / block[2]];
    const shellPerBlock = 6 * block[1] * block[2];
    expect(a.mergeState.peakRetainedShellVoxels).toBeLessThanOrEqual((gy * gx + gx + 2) * shellPerBlock);
    expect(a.mergeState.totalShellVoxels).toBeGreaterThan(3 * a.mergeState.peakRetainedShellVoxels);
  });

  it('drops on arrival the skeleton of specks the size filter rejects and a block holds whole', async () => {
    const shape: Vec3 = [48, 64, 64];
    const img = new PhantomRenderer(generateVesselNetwork({ shape, seed: 4 }), { seed: 4 }).mask([0, 0, 0], shape);
    let s = 11, specks = 0;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let k = 0; k < 3000; k++) {
      const o = Math.floor(rnd() * img.length);
      if (!img[o]) specks++;
      img[o] = 1;
    }
    const settings = { threshold: 0.5, min_size: 20 };
    const whole = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { block: shape });
    const a = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { block: [16, 32, 32] });
    expect(a.summary.n_branches).toBe(whole.summary.n_branches);
    expect(a.summary.n_labelled_components).toBe(whole.summary.n_labelled_components);
    expect(a.summary.n_components_before_size_filter).toBe(whole.summary.n_components_before_size_filter);
    expect(a.mergeState.skeletonVoxelsSeen - a.mergeState.skeletonVoxelsHeld).toBeGreaterThan(0.6 * specks);
    expect(a.mergeState.skeletonVoxelsHeld).toBeLessThan(a.skeleton.indices.length + 0.3 * specks);
  });
});

import { describe, expect, it } from 'vitest';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { histogramThreshold, accumulateHistogram } from '../../src/analysis/histogram-threshold.js';
import { fillHoles } from '../../src/analysis/fill-holes.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { memoryReader } from './_memory-reader.js';


describe('block-wise analysis equals whole-volume analysis', () => {
  it('network totals, components and measures for several block sizes (rendered phantom, smoothing, Otsu)', async () => {
    const shape: Vec3 = [64, 80, 88];
    const net = generateVesselNetwork({ shape, seed: 4 });
    const img = new PhantomRenderer(net, { seed: 9 }).render([0, 0, 0], shape);
    const settings = { threshold: 'otsu' as const, smooth_sigma: 0.7, min_size: 20, close_radius: 1 };
    const whole = await analyzeVolume(memoryReader(img, shape), shape, settings, [1.5, 1, 1], undefined, { block: shape });
    expect(whole.summary.n_branches).toBeGreaterThan(10);
    for (const block of [[32, 32, 32], [20, 27, 44], [64, 17, 88]] as Vec3[]) {
      const a = await analyzeVolume(memoryReader(img, shape), shape, settings, [1.5, 1, 1], undefined, { block });
      expect(a.threshold).toBe(whole.threshold);
      expect(a.foregroundVoxels).toBe(whole.foregroundVoxels);
      expect(a.components).toEqual(whole.components.map((c) => expect.objectContaining({ ...c, centroid_z: expect.closeTo(c.centroid_z, 9), centroid_y: expect.closeTo(c.centroid_y, 9), centroid_x: expect.closeTo(c.centroid_x, 9), radius_major_um: expect.closeTo(c.radius_major_um, 6), radius_mid_um: expect.closeTo(c.radius_mid_um, 6), radius_minor_um: expect.closeTo(c.radius_minor_um, 6), axis_major_z: expect.anything(), axis_major_y: expect.anything(), axis_major_x: expect.anything() })));
      expect(a.skeleton.indices.slice().sort((p, q) => p - q)).toEqual(whole.skeleton.indices.slice().sort((p, q) => p - q));
      const { parameters: _p, ...totals } = a.summary;
      const { parameters: _w, ...wholeTotals } = whole.summary;
      expect(totals.n_branches).toBe(wholeTotals.n_branches);
      expect(totals.total_length_um).toBeCloseTo(wholeTotals.total_length_um, 6);
      expect(totals).toEqual({ ...wholeTotals, total_length_um: totals.total_length_um, length_density_per_mm3: totals.length_density_per_mm3, mean_radius_um: expect.closeTo(wholeTotals.mean_radius_um, 9) });
    }
  });
});

describe('shape measures', () => {
  it('a ball: volume, surface (within 5 %), sphericity near 1, equal ellipsoid radii', async () => {
    const shape: Vec3 = [40, 40, 40];
    const r = 12;
    const vol = new Float32Array(40 ** 3);
    for (let z = 0, o = 0; z < 40; z++) for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++, o++) vol[o] = (z - 19.5) ** 2 + (y - 19.3) ** 2 + (x - 19.6) ** 2 <= r * r ? 1 : 0;
    const a = await analyzeVolume(memoryReader(vol, shape), shape, { threshold: 0.5, min_size: 0, block: 16 }, [1, 1, 1], undefined, { noSkeleton: true });
    expect(a.components).toHaveLength(1);
    const c = a.components[0];
    const voxels = vol.reduce((s, v) => s + v, 0);
    expect(c.voxels).toBe(voxels);
    expect(c.centroid_z).toBeCloseTo(19.5, 1);
    expect(Math.abs(c.surface_um2 / (4 * Math.PI * r * r) - 1)).toBeLessThan(0.05);
    expect(c.sphericity).toBeGreaterThan(0.93);
    expect(c.sphericity).toBeLessThan(1.07);
    for (const k of ['radius_major_um', 'radius_mid_um', 'radius_minor_um'] as const) expect(Math.abs(c[k] - r)).toBeLessThan(0.5);
  });

  it('an ellipsoid in anisotropic voxels: semi-axes in µm and the major axis direction', async () => {
    const shape: Vec3 = [30, 60, 60];
    const voxelSize: Vec3 = [2, 1, 1];
    const [a0, a1, a2] = [10, 20, 6]; // semi-axes in µm along z, y, x
    const vol = new Float32Array(30 * 60 * 60);
    for (let z = 0, o = 0; z < 30; z++) for (let y = 0; y < 60; y++) for (let x = 0; x < 60; x++, o++) vol[o] = (((z - 14.5) * 2) / a0) ** 2 + ((y - 29.5) / a1) ** 2 + ((x - 29.5) / a2) ** 2 <= 1 ? 1 : 0;
    const a = await analyzeVolume(memoryReader(vol, shape), shape, { threshold: 0.5, min_size: 0 }, voxelSize, undefined, { noSkeleton: true });
    const c = a.components[0];
    expect(Math.abs(c.radius_major_um - 20)).toBeLessThan(1);
    expect(Math.abs(c.radius_mid_um - 10)).toBeLessThan(1);
    expect(Math.abs(c.radius_minor_um - 6)).toBeLessThan(1);
    expect(Math.abs(c.axis_major_y)).toBeGreaterThan(0.99);
    expect(c.volume_um3).toBe(c.voxels * 2);
  });

  it('size filter keeps components within [min_size, max_size], renumbered in raster order', async () => {
    const shape: Vec3 = [10, 10, 40];
    const vol = new Float32Array(4000);
    const put = (x0: number, n: number) => {
      for (let x = x0; x < x0 + n; x++) vol[(5 * 10 + 5) * 40 + x] = 1;
    };
    put(1, 2);
    put(5, 5);
    put(12, 10);
    put(25, 12);
    const a = await analyzeVolume(memoryReader(vol, shape), shape, { threshold: 0.5, min_size: 5, max_size: 10 }, [1, 1, 1], undefined, { noSkeleton: true });
    expect(a.labelledComponents).toBe(4);
    expect(a.components.map((c) => [c.label, c.voxels, c.bbox_x0])).toEqual([[1, 5, 5], [2, 10, 12]]);
  });
});

describe('segmentation', () => {
  it('Otsu separates two intensity populations; percentiles read off the histogram', () => {
    const data = new Float32Array(10000);
    let s = 3;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < data.length; i++) data[i] = i < 7000 ? 100 + 20 * rnd() : 300 + 20 * rnd();
    const counts = new Float64Array(4096);
    accumulateHistogram(data, 100, 320, counts);
    const hist = { lo: 100, hi: 320, counts: Array.from(counts) };
    const t = histogramThreshold('otsu', hist);
    expect(t).toBeGreaterThan(120);
    expect(t).toBeLessThan(300);
    const sorted = Array.from(data).sort((a, b) => a - b);
    expect(Math.abs(histogramThreshold('p50', hist) - sorted[5000])).toBeLessThan(0.2);
    expect(Math.abs(histogramThreshold('p95', hist) - sorted[9500])).toBeLessThan(0.2);
    expect(histogramThreshold(250, hist)).toBe(250);
    expect(() => histogramThreshold('p101', hist)).toThrow(/Cannot threshold/);
  });

  it('fills enclosed holes, not open ones', () => {
    const shape: Vec3 = [9, 9, 9];
    const m = new Uint8Array(729);
    for (let z = 1, o = 0; z < 8; z++)
      for (let y = 1; y < 8; y++)
        for (let x = 1; x < 8; x++) {
          o = (z * 9 + y) * 9 + x;
          m[o] = z === 4 && y === 4 && x >= 3 && x <= 4 ? 0 : 1;
        }
    const filled = fillHoles(m, shape);
    expect(filled[(4 * 9 + 4) * 9 + 4]).toBe(1);
    m[(4 * 9 + 4) * 9 + 1] = 0;
    m[(4 * 9 + 4) * 9 + 2] = 0; // tunnel from the hole to the outside: still the hole is reached only via x = 1..4
    for (let x = 0; x < 9; x++) m[(4 * 9 + 4) * 9 + x] = 0;
    expect(fillHoles(m, shape)[(4 * 9 + 4) * 9 + 4]).toBe(0);
  });
});

describe('analyzeVolume with a "no data" value', () => {
  it('leaves the fill value of uncovered corners out of Otsu, so the vessels, not the background, are segmented', async () => {
    const shape: Vec3 = [48, 64, 64];
    const net = generateVesselNetwork({ shape, seed: 3 });
    const r = new PhantomRenderer(net, { seed: 9 });
    const img = r.render([0, 0, 0], shape);
    // A stitched volume's corner that no tile reaches holds the fill value 0; the image is 0.25 ± 0.1 there elsewhere.
    for (let z = 0; z < shape[0]; z++) for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) img[(z * shape[1] + y) * shape[2] + x] = 0;
    const truth = r.mask([0, 0, 0], shape);
    let truthFg = 0;
    for (let z = 0; z < shape[0]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++) if (!(y < 40 && x < 40) && truth[(z * shape[1] + y) * shape[2] + x]) truthFg++;
    const settings = { threshold: 'otsu' as const, min_size: 0 };
    const naive = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { noSkeleton: true });
    const aware = await analyzeVolume(memoryReader(img, shape), shape, settings, [1, 1, 1], undefined, { noSkeleton: true, ignoreValue: 0 });
    const n = shape[0] * shape[1] * shape[2];
    // Without it, Otsu splits "empty" from "image" and calls the whole textured background foreground.
    expect(naive.summary.volume_fraction).toBeGreaterThan(0.3);
    expect(aware.summary.volume_fraction * n).toBeGreaterThan(0.7 * truthFg);
    expect(aware.summary.volume_fraction * n).toBeLessThan(1.3 * truthFg);
  });
});

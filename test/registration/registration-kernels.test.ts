import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { registrationKernels } from '../../src/registration/wasm/registration-kernels.js';
import { maskedNcc } from '../../src/registration/masked-ncc.js';
import { binomialSmooth } from '../../src/registration/binomial-smooth.js';
import { blockAverage } from '../../src/registration/block-average.js';
import { gradientSubvoxel } from '../../src/registration/gradient-subvoxel.js';
import { registerRegions } from '../../src/registration/register-regions.js';
import { Random } from '../../src/synth/random.js';
import type { Vec3 } from '../../src/geometry/box.js';

// Each kernel against the JavaScript loop it replaces: the same function called on a plain array
// (JavaScript) and on a copy in the WebAssembly heap (kernel).
const kernels = registrationKernels!;

function smoothRandom(shape: Vec3, seed: number): Float32Array {
  const rng = new Random(seed);
  const [d, h, w] = shape;
  const v = new Float32Array(d * h * w);
  for (let k = 0; k < d; k++)
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) v[(k * h + j) * w + i] = 300 * Math.sin(0.3 * i + 0.2 * j) * Math.cos(0.25 * k + 0.1 * i) + 20 * rng.normal();
  return v;
}

function inHeap(v: Float32Array): Float32Array {
  const h = kernels.f32(v.length);
  h.set(v);
  expect(kernels.holds(h)).toBe(true);
  return h;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(a[i]));
  }
  return d / m;
}

describe('registration kernels (WebAssembly SIMD) against the JavaScript loops', () => {
  afterEach(() => kernels.end());

  it('are available in this Node', () => {
    expect(registrationKernels).not.toBeNull();
  });

  it('the committed module is the build of assembly/registration-kernels.ts', () => {
    // Throws (exit 1, with the reason) when the source changed and `npm run build:wasm` was not run.
    execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { stdio: 'pipe' });
  }, 60_000);

  it('masked NCC sums, dense, at several shifts and sampling steps', () => {
    const sa: Vec3 = [9, 37, 45], sb: Vec3 = [11, 33, 50];
    const a = smoothRandom(sa, 1), b = smoothRandom(sb, 2);
    kernels.begin(8 * (a.length + b.length) + 1024, null);
    const ha = inHeap(a), hb = inHeap(b);
    for (const t of [[0, 0, 0], [2, -3, 5], [-4, 6, -7], [1, 1, 13]] as Vec3[])
      for (const step of [[1, 1], [2, 2], [2, 4]] as [number, number][]) {
        const js = maskedNcc({ data: a, shape: sa, mask: null }, { data: b, shape: sb, mask: null }, t, step);
        const k = maskedNcc({ data: ha, shape: sa, mask: null }, { data: hb, shape: sb, mask: null }, t, step);
        expect(k.voxels).toBe(js.voxels);
        expect(k.overlap).toEqual(js.overlap);
        expect(k.r).toBeCloseTo(js.r, 5);
      }
  });

  it('binomial smoothing, dense, of odd shapes (ends clipped and renormalised)', () => {
    for (const shape of [[5, 5, 8], [7, 19, 33], [12, 40, 61]] as Vec3[]) {
      const v = smoothRandom(shape, 3);
      kernels.begin(16 * v.length + 64 * shape[1] * shape[2] + 1024, null);
      const js = binomialSmooth(v, shape, null);
      const k = binomialSmooth(inHeap(v), shape, null);
      expect(kernels.holds(k)).toBe(true);
      expect(maxRelDiff(js, k)).toBeLessThan(1e-5);
      kernels.end();
    }
  });

  // A refinement window's b side (grown by the search margin) smoothed only where the gradient step
  // can reach: the result must stay in the heap, or the step falls back to JavaScript (it did, at
  // margins of 10 voxels: 3× the CPU of a pair of 192×1024×1024 tiles).
  it('binomial smoothing of a sub-box leaves its result in the heap, equal to the whole smoothing there', () => {
    const shape: Vec3 = [40, 44, 44];
    const v = smoothRandom(shape, 5);
    const box = { lo: [6, 6, 6] as Vec3, size: [30, 30, 30] as Vec3 };
    const js = binomialSmooth(v, shape, null);
    kernels.begin(14 * v.length + 64 * shape[1] * shape[2] + 1024, null);
    const k = binomialSmooth(inHeap(v), shape, null, box);
    expect(kernels.holds(k)).toBe(true);
    let worst = 0;
    for (let z = 6; z < 36; z++)
      for (let y = 6; y < 36; y++)
        for (let x = 6; x < 36; x++) {
          const o = (z * shape[1] + y) * shape[2] + x;
          worst = Math.max(worst, Math.abs(k[o] - js[o]) / 300);
        }
    expect(worst).toBeLessThan(1e-5);
  });

  it('block averaging by (1, 2, 2) and (2, 2, 2), partial blocks dropped', () => {
    const shape: Vec3 = [9, 37, 45];
    const v = smoothRandom(shape, 4);
    kernels.begin(8 * v.length + 1024, null);
    const h = inHeap(v);
    for (const f of [[1, 2, 2], [2, 2, 2], [3, 1, 2]] as Vec3[]) {
      const js = blockAverage(v, shape, null, f);
      const k = blockAverage(h, shape, null, f);
      expect(k.shape).toEqual(js.shape);
      expect(maxRelDiff(js.data, k.data)).toBeLessThan(1e-6);
    }
  });

  it('the gradient step, dense, on every axis set and sampling step', () => {
    const sa: Vec3 = [12, 40, 48], sb: Vec3 = [12, 40, 48];
    const a = smoothRandom(sa, 5), b = smoothRandom(sb, 6);
    kernels.begin(8 * (a.length + b.length) + 1024, null);
    const ha = inHeap(a), hb = inHeap(b);
    for (const active of [[0, 1, 2], [1, 2]])
      for (const step of [[1, 1], [2, 2]] as [number, number][]) {
        const js = gradientSubvoxel({ data: a, shape: sa, mask: null }, { data: b, shape: sb, mask: null }, [1, -2, 3], active, step)!;
        const k = gradientSubvoxel({ data: ha, shape: sa, mask: null }, { data: hb, shape: sb, mask: null }, [1, -2, 3], active, step)!;
        for (let ax = 0; ax < 3; ax++) expect(k[ax]).toBeCloseTo(js[ax], 4);
      }
  });

  it('a uint16 pair (converted and centred by the kernel) registers exactly as its float32 copy does', () => {
    const shape: Vec3 = [20, 64, 64];
    const truth: Vec3 = [2, -5, 7];
    const big: Vec3 = [shape[0] + 10, shape[1] + 20, shape[2] + 20];
    const src = smoothRandom(big, 7);
    const crop = (o: Vec3): Uint16Array => {
      const out = new Uint16Array(shape[0] * shape[1] * shape[2]);
      for (let k = 0; k < shape[0]; k++)
        for (let j = 0; j < shape[1]; j++)
          for (let i = 0; i < shape[2]; i++) out[(k * shape[1] + j) * shape[2] + i] = Math.round(1000 + src[((o[0] + k) * big[1] + o[1] + j) * big[2] + o[2] + i]);
      return out;
    };
    const a = crop([4, 8, 2]), b = crop([4 + truth[0], 8 + truth[1], 2 + truth[2]]);
    const opts = { downsample: [1, 2, 2] as Vec3, margin: [10, 10, 10] as Vec3 };
    const u16 = registerRegions({ data: a, shape }, { data: b, shape }, opts);
    const f32 = registerRegions({ data: Float32Array.from(a), shape }, { data: Float32Array.from(b), shape }, opts);
    expect(u16.status).toBe('ok');
    expect(u16.translation!.map(Math.round)).toEqual(truth);
    for (let ax = 0; ax < 3; ax++) expect(u16.translation![ax]).toBeCloseTo(f32.translation![ax], 4);
    expect(u16.correlation).toBeCloseTo(f32.correlation, 5);
  });
});

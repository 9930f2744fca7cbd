import { describe, expect, it } from 'vitest';
import { WasmFft3d } from '../../src/registration/wasm/wasm-fft3d.js';
import { registrationKernels } from '../../src/registration/wasm/registration-kernels.js';
import { phaseCorrelation } from '../../src/registration/phase-correlation.js';
import { Random } from '../../src/synth/random.js';
import type { Vec3 } from '../../src/geometry/box.js';

const ones = (n: number): Float64Array => new Float64Array(n).fill(1);

function randomVolume(shape: Vec3, seed: number): Float32Array {
  const rng = new Random(seed);
  const v = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  return v;
}

/** y[i] = x[i − s] with periodic wrap. */
function circularShift(x: Float32Array, shape: Vec3, s: Vec3): Float32Array {
  const [d, h, w] = shape;
  const y = new Float32Array(x.length);
  for (let k = 0; k < d; k++)
    for (let j = 0; j < h; j++)
      for (let i = 0; i < w; i++) {
        const src = ((((k - s[0]) % d) + d) % d) * h * w + ((((j - s[1]) % h) + h) % h) * w + ((((i - s[2]) % w) + w) % w);
        y[(k * h + j) * w + i] = x[src];
      }
  return y;
}

describe('WasmFft3d (PFFFT, WebAssembly SIMD)', () => {
  it('is available in this Node', () => {
    expect(WasmFft3d.available).toBe(true);
  });

  it('pads each axis to a size PFFFT takes (z, y: multiples of 16; x: of 32; factors 2, 3, 5)', () => {
    expect(WasmFft3d.paddedShape([40, 256, 250])).toEqual([48, 256, 256]);
    expect(WasmFft3d.paddedShape([1, 100, 130])).toEqual([1, 128, 160]);
    expect(WasmFft3d.paddedShape([7, 33, 70])).toEqual([16, 48, 96]);
    expect(WasmFft3d.paddedShape([16, 16, 1])).toBeNull();
  });

  // The phase correlation of a volume with its own circular shift is a delta at the shift: any
  // slip in the transposes, the line transforms or the DC/Nyquist separation smears it.
  for (const [shape, shift] of [
    [[16, 48, 64], [3, -7, 11]],
    [[1, 48, 96], [0, 13, -30]],
    [[32, 16, 32], [-15, 8, 16]],
  ] as [Vec3, Vec3][]) {
    it(`turns a circular shift ${shift} of a ${shape.join('×')} volume into a delta`, () => {
      const fft = WasmFft3d.create(shape)!;
      expect(fft.shape).toEqual(shape);
      const x = randomVolume(shape, 1);
      const y = circularShift(x, shape, shift);
      const [d, h, w] = shape;
      const plain = { shape, mask: null, mean: 0, wz: ones(d), wy: ones(h), wx: ones(w) };
      fft.forward(0, { ...plain, data: y });
      fft.forward(1, { ...plain, data: x });
      fft.crossPower(ones(d), ones(h), ones(w / 2 + 1));
      const { corr, rowMax, scale } = fft.inverse();
      const at = shift.map((s, ax) => ((s % shape[ax]) + shape[ax]) % shape[ax]);
      const peak = (at[0] * h + at[1]) * w + at[2];
      expect(corr[peak] * scale).toBeCloseTo(1, 4);
      let rest = 0;
      for (let i = 0; i < corr.length; i++) if (i !== peak) rest = Math.max(rest, Math.abs(corr[i] * scale));
      expect(rest).toBeLessThan(1e-4);
      expect(rowMax[at[0] * h + at[1]]).toBe(corr[peak]);
    });
  }

  it('gives the same phase correlation as the JavaScript transforms (fft-nd.ts) on a shape both take', () => {
    for (const shape of [[16, 48, 64], [1, 32, 128]] as Vec3[]) {
      const a = { data: randomVolume(shape, 2), shape, mask: null };
      const b = { data: circularShift(a.data, shape, [shape[0] > 1 ? 2 : 0, 5, -9]), shape, mask: null };
      for (let i = 0; i < b.data.length; i += 7) b.data[i] += 0.5;
      const js = phaseCorrelation(a, b, { engine: 'js', peaks: 4 });
      const wasm = phaseCorrelation(a, b, { engine: 'wasm', peaks: 4 });
      expect(wasm.fftShape).toEqual(js.fftShape);
      expect(wasm.peaks.map((p) => p.shift)).toEqual(js.peaks.map((p) => p.shift));
      wasm.peaks.forEach((p, i) => expect(p.value).toBeCloseTo(js.peaks[i].value, 5));
      expect(wasm.peakRatio).toBeCloseTo(js.peakRatio, 3);
    }
  });

  it('windows a region that lives in the WebAssembly heap with the kernel, to the same result', () => {
    const shape: Vec3 = [16, 48, 64];
    const a = { data: randomVolume(shape, 4), shape, mask: null };
    const b = { data: circularShift(a.data, shape, [1, -4, 6]), shape, mask: null };
    const js = phaseCorrelation(a, b, { engine: 'wasm', peaks: 3, apodization: 0.1 });
    const kernels = registrationKernels!;
    kernels.begin(8 * a.data.length + 1024, shape);
    try {
      const inHeap = (r: typeof a) => {
        const v = kernels.f32(r.data.length);
        v.set(r.data);
        expect(kernels.holds(v)).toBe(true);
        return { ...r, data: v };
      };
      const k = phaseCorrelation(inHeap(a), inHeap(b), { engine: 'wasm', peaks: 3, apodization: 0.1 });
      expect(k.peaks.map((p) => p.shift)).toEqual(js.peaks.map((p) => p.shift));
      k.peaks.forEach((p, i) => expect(p.value).toBeCloseTo(js.peaks[i].value, 5));
    } finally {
      kernels.end();
    }
  });

  it('finds the same peak as fft-nd.ts on odd, unequal and masked regions (padded differently)', () => {
    const shape: Vec3 = [7, 33, 70];
    const x = randomVolume([7, 40, 80], 3);
    const crop = (o: Vec3, s: Vec3): Float32Array => {
      const out = new Float32Array(s[0] * s[1] * s[2]);
      for (let k = 0; k < s[0]; k++)
        for (let j = 0; j < s[1]; j++)
          for (let i = 0; i < s[2]; i++) out[(k * s[1] + j) * s[2] + i] = x[((o[0] + k) * 40 + o[1] + j) * 80 + o[2] + i];
      return out;
    };
    const mask = new Uint8Array(shape[0] * shape[1] * shape[2]).fill(1);
    for (let i = 0; i < mask.length; i += 5) mask[i] = 0;
    const a = { data: crop([0, 4, 6], shape), shape, mask };
    const b = { data: crop([0, 1, 2], [7, 30, 66]), shape: [7, 30, 66] as Vec3, mask: null };
    for (const engine of ['js', 'wasm'] as const) {
      const pc = phaseCorrelation(a, b, { engine });
      // a's voxel j is b's voxel j + (0, 3, 4): a[i] ≈ b[i − t] with t = (0, −3, −4), modulo the padding.
      const t = pc.peaks[0].shift.map((s, ax) => (s > pc.fftShape[ax] / 2 ? s - pc.fftShape[ax] : s));
      expect(t).toEqual([0, -3, -4]);
    }
  });
});

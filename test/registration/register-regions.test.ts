import { describe, expect, it } from 'vitest';
import { registerRegions } from '../../src/registration/register-regions.js';
import { quadraticPeak } from '../../src/registration/quadratic-peak.js';
import { phaseCorrelation } from '../../src/registration/phase-correlation.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { wantsWiderSearch } from '../../src/registration/widened-overlaps.js';
import { rejectionHint } from '../../src/registration/rejection-hint.js';

/** A smooth random field: a sum of Gaussian blobs, evaluable at any (fractional) point. */
function blobField(seed: number, extent: Vec3, count: number): (z: number, y: number, x: number) => number {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const blobs = Array.from({ length: count }, () => ({
    c: extent.map((e) => rnd() * e) as Vec3,
    r: 1.5 + 3 * rnd(),
    a: rnd() < 0.5 ? -1 : 1,
  }));
  return (z, y, x) => {
    let v = 0;
    for (const b of blobs) {
      const d2 = (z - b.c[0]) ** 2 + (y - b.c[1]) ** 2 + (x - b.c[2]) ** 2;
      if (d2 < 36 * b.r * b.r) v += b.a * Math.exp(-d2 / (2 * b.r * b.r));
    }
    return v;
  };
}

/** Sample the field on a box whose voxel 0 sits at `origin` (fractional allowed), with gain and offset. */
function sample(f: (z: number, y: number, x: number) => number, origin: Vec3, shape: Vec3, gain = 1, offset = 0): Float32Array {
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let k = 0, o = 0; k < shape[0]; k++) for (let j = 0; j < shape[1]; j++) for (let i = 0; i < shape[2]; i++, o++) out[o] = offset + gain * f(origin[0] + k, origin[1] + j, origin[2] + i);
  return out;
}

/** Fine texture fixed to integer global coordinates (a hash): identical in both crops at integer shifts. */
function textured(f: (z: number, y: number, x: number) => number, amp: number): (z: number, y: number, x: number) => number {
  return (z, y, x) => {
    const h = Math.imul(Math.imul(Math.round(z) + 7919, 73856093) ^ Math.imul(Math.round(y) + 104729, 19349663) ^ Math.imul(Math.round(x) + 1299709, 83492791), 2654435761) >>> 0;
    return f(z, y, x) + amp * (h / 2 ** 32 - 0.5);
  };
}

describe('registerRegions', () => {
  const field2d = blobField(7, [1, 200, 200], 400);
  const flat = (f: (z: number, y: number, x: number) => number) => (_z: number, y: number, x: number) => f(0, y, x);

  // b's voxel j sits on a's voxel j + t  ⇔  b's origin = a's origin + t. Every shift is beyond half
  // the 64-voxel window on one axis at least, so the raw peak (t mod 64) points the wrong way; the
  // overlaps left are 30-40 % of the window, as in a tile pair's grown overlap box.
  const cases: Vec3[] = [
    [0, 40, 3],
    [0, -45, 7],
    [0, 5, -40],
    [0, 36, -8],
    [0, -33, -34],
  ];
  for (const t of cases) {
    it(`recovers a ${t[1]},${t[2]} shift in a 64×64 window (peak disambiguation beyond half the window)`, () => {
      // Blobs plus fine texture (as real tiles have), integer shifts.
      const f = textured(flat(field2d), 0.3);
      const a = sample(f, [0, 60, 60], [1, 64, 64]);
      const b = sample(f, [0, 60 + t[1], 60 + t[2]], [1, 64, 64], 1.3, 50);
      const res = registerRegions({ data: a, shape: [1, 64, 64] }, { data: b, shape: [1, 64, 64] }, { minOverlap: [1, 8, 8] });
      if (process.env.DBG) console.log(t, res, phaseCorrelation({ data: a, shape: [1, 64, 64], mask: null }, { data: b, shape: [1, 64, 64], mask: null }, { peaks: 10 }).peaks.map((p) => p.shift.join(',')).join(' '));
      expect(res.status).toBe('ok');
      expect(res.translation![1]).toBeCloseTo(t[1], 1);
      expect(res.translation![2]).toBeCloseTo(t[2], 1);
      expect(res.correlation).toBeGreaterThan(0.99);
      // The periodic image of the peak really was ambiguous: the raw phase-correlation peak is t mod 64.
      const pc = phaseCorrelation({ data: a, shape: [1, 64, 64], mask: null }, { data: b, shape: [1, 64, 64], mask: null });
      expect(pc.peaks.some((p) => p.shift[1] === ((t[1] % 64) + 64) % 64 && p.shift[2] === ((t[2] % 64) + 64) % 64)).toBe(true);
    });
  }

  it('measures sub-voxel shifts in 2-D and 3-D to better than 0.05 voxel', () => {
    const f3 = blobField(11, [80, 80, 80], 500);
    for (const [shape, t, f] of [
      [[1, 72, 72], [0, 7.3, -4.6], flat(field2d)],
      [[1, 72, 72], [0, -12.75, 9.45], flat(field2d)],
      [[32, 32, 32], [2.4, -3.7, 5.15], f3],
    ] as [Vec3, Vec3, (z: number, y: number, x: number) => number][]) {
      const a = sample(f, [10, 60, 60], shape);
      const b = sample(f, [10 + t[0], 60 + t[1], 60 + t[2]], shape, 0.8, 10);
      const res = registerRegions({ data: a, shape }, { data: b, shape }, { downsample: [1, 2, 2] });
      expect(res.status).toBe('ok');
      for (let ax = 0; ax < 3; ax++) expect(Math.abs(res.translation![ax] - (shape[ax] === 1 ? 0 : t[ax]))).toBeLessThan(0.05);
    }
  });

  it('rejects blank or constant overlaps, and regions without valid voxels, with the reason', () => {
    const a = sample(flat(field2d), [0, 0, 0], [1, 48, 48]);
    const blank = new Uint16Array(48 * 48).fill(400);
    expect(registerRegions({ data: a, shape: [1, 48, 48] }, { data: blank, shape: [1, 48, 48] })).toMatchObject({ status: 'rejected', reason: 'blank or constant overlap' });
    const nan = new Float32Array(48 * 48).fill(NaN);
    expect(registerRegions({ data: a, shape: [1, 48, 48] }, { data: nan, shape: [1, 48, 48] }).reason).toMatch(/no valid voxels/);
  });

  it('ignores NaN and masked voxels (tomography corners) in float tiles', () => {
    const f = flat(field2d);
    const t: Vec3 = [0, 6.5, -9.25];
    const a = sample(f, [0, 50, 50], [1, 80, 80]);
    const b = sample(f, [0, 50 + t[1], 50 + t[2]], [1, 80, 80]);
    // Corners outside a circle are 0 in a (masked) and NaN in b: without masks they would align.
    const mask = new Uint8Array(80 * 80);
    for (let j = 0; j < 80; j++)
      for (let i = 0; i < 80; i++) {
        const inside = (j - 39.5) ** 2 + (i - 39.5) ** 2 <= 40 ** 2;
        mask[j * 80 + i] = inside ? 1 : 0;
        if (!inside) {
          a[j * 80 + i] = 0;
          b[j * 80 + i] = NaN;
        }
      }
    const res = registerRegions({ data: a, shape: [1, 80, 80], mask }, { data: b, shape: [1, 80, 80] });
    expect(res.status).toBe('ok');
    expect(Math.abs(res.translation![1] - t[1])).toBeLessThan(0.05);
    expect(Math.abs(res.translation![2] - t[2])).toBeLessThan(0.05);
  });

  it('rejects a shift beyond the search margin', () => {
    const f = flat(field2d);
    const a = sample(f, [0, 60, 60], [1, 64, 64]);
    const b = sample(f, [0, 80, 60], [1, 64, 64]);
    const res = registerRegions({ data: a, shape: [1, 64, 64] }, { data: b, shape: [1, 64, 64] }, { margin: [0, 10, 10] });
    expect(res).toMatchObject({ status: 'rejected', reason: 'shift beyond the search margin' });
  });

  // A z pair whose true overlap (6 planes) is thinner than min_overlap_measured (8) although its
  // shift is well inside the margin (t_0_2_1–t_1_2_1 of bench/scale/speed-vs-skimage.ts): the climb
  // stops where the overlap gets too thin, and that is the reason, not the margin (which sent it to
  // a pointless widened search whose hint then asked for a margin it already had).
  it('says the overlap is too thin, not the margin, when a shift inside the margin leaves too thin an overlap', () => {
    const f = textured(flat(field2d), 0.3);
    const a = sample(f, [0, 20, 40], [1, 40, 96]);
    const b = sample(f, [0, 20 + 34 + 1, 40 + 2], [1, 40, 96], 1.2, 30);
    const opts = { expected: [0, 32, 0] as Vec3, margin: [0, 12, 12] as Vec3, downsample: [1, 1, 1] as Vec3 };
    const strict = registerRegions({ data: a, shape: [1, 40, 96] }, { data: b, shape: [1, 40, 96] }, { ...opts, minOverlap: [1, 8, 8] });
    expect(strict.status).toBe('rejected');
    expect(strict.reason).toMatch(/^overlap too small at the best match/);
    const record = { a: 'a', b: 'b', shift: [0, 32, 0] as Vec3, nominal_shift: [0, 32, 0] as Vec3, correlation: strict.correlation, status: 'rejected' as const, reason: strict.reason, key: 'k' };
    expect(wantsWiderSearch(record)).toBe(false);
    expect(rejectionHint(record, { margin: [0, 12, 12], widened: false })).toMatch(/min_overlap_measured/);
    // The same match accepted where thinner overlaps are allowed: it is the true one.
    const loose = registerRegions({ data: a, shape: [1, 40, 96] }, { data: b, shape: [1, 40, 96] }, { ...opts, minOverlap: [1, 4, 8] });
    expect(loose.status).toBe('ok');
    expect(Math.abs(loose.translation![1] - 35)).toBeLessThan(0.1);
    expect(Math.abs(loose.translation![2] - 2)).toBeLessThan(0.1);
  });
});

describe('quadraticPeak', () => {
  it('finds the maximum of a tilted quadratic with cross terms exactly', () => {
    const c: Vec3 = [0.3, -0.2, 0.45];
    const H = [
      [-2, 0.5, 0.3],
      [0.5, -1.5, -0.4],
      [0.3, -0.4, -1],
    ];
    const q = (x: number[]) => {
      const d = x.map((v, i) => v - c[i]);
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += 0.5 * d[i] * H[i][j] * d[j];
      return 1 + s;
    };
    const samples: number[] = [];
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let e = -1; e <= 1; e++) samples.push(q([a, b, e]));
    const x = quadraticPeak(samples, 3);
    for (let i = 0; i < 3; i++) expect(x[i]).toBeCloseTo(c[i], 10);
  });
});

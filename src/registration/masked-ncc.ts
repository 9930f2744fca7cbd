/**
 * Normalised cross-correlation (Pearson r) of two regions over their overlap at an integer
 * translation, counting only voxels valid in both (masked NCC), so that the empty corners of a
 * tomogram or NaN never contribute. Lewis (1995), "Fast normalized cross-correlation".
 */
import type { Vec3 } from '../geometry/box.js';
import type { PhaseRegion } from './phase-correlation.js';

export interface NccResult {
  /** Pearson correlation; NaN when either side is constant or nothing overlaps. */
  r: number;
  /** Voxels valid in both that entered the sum. */
  voxels: number;
  /** Extent (z, y, x) of the overlap box at this translation. */
  overlap: Vec3;
}

/**
 * r over the overlap when b's voxel j sits on a's voxel j + t. `step` samples every step-th row
 * plane (z) and row (y) of the overlap (an unbiased estimate of r at a fraction of the cost, for the local
 * search around a peak in very large overlaps). @default [1, 1, 1]
 */
export function maskedNcc(a: PhaseRegion, b: PhaseRegion, t: Vec3, step: readonly [number, number] = [1, 1]): NccResult {
  const lo: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  for (let ax = 0; ax < 3; ax++) {
    lo[ax] = Math.max(0, t[ax]);
    size[ax] = Math.max(0, Math.min(a.shape[ax], b.shape[ax] + t[ax]) - lo[ax]);
  }
  if (size[0] * size[1] * size[2] === 0) return { r: NaN, voxels: 0, overlap: size };
  const [, ha, wa] = a.shape;
  const [, hb, wb] = b.shape;
  const ad = a.data, bd = b.data, am = a.mask, bm = b.mask;
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let k = 0; k < size[0]; k += step[0]) {
    const ka = lo[0] + k, kb = ka - t[0];
    for (let j = 0; j < size[1]; j += step[1]) {
      const ja = lo[1] + j, jb = ja - t[1];
      let oa = (ka * ha + ja) * wa + lo[2];
      let ob = (kb * hb + jb) * wb + lo[2] - t[2];
      const end = oa + size[2];
      if (!am && !bm) {
        for (; oa < end; oa++, ob++) {
          const x = ad[oa], y = bd[ob];
          sa += x;
          sb += y;
          saa += x * x;
          sbb += y * y;
          sab += x * y;
        }
        n += size[2];
      } else {
        for (; oa < end; oa++, ob++) {
          if ((am && !am[oa]) || (bm && !bm[ob])) continue;
          const x = ad[oa], y = bd[ob];
          sa += x;
          sb += y;
          saa += x * x;
          sbb += y * y;
          sab += x * y;
          n++;
        }
      }
    }
  }
  if (n < 2) return { r: NaN, voxels: n, overlap: size };
  const va = saa - (sa * sa) / n, vb = sbb - (sb * sb) / n;
  // Relative floor: a side whose variance is at rounding level is constant.
  if (va <= 1e-12 * (saa + 1e-300) || vb <= 1e-12 * (sbb + 1e-300)) return { r: NaN, voxels: n, overlap: size };
  return { r: (sab - (sa * sb) / n) / Math.sqrt(va * vb), voxels: n, overlap: size };
}

/**
 * maskedNcc at t + (0, 0, −1), t and t + (0, 0, +1) in one pass over the rows (the local search
 * scores whole 3^d neighbourhoods): each voxel of a is read once for the three. Every shift's sums
 * take the same terms in the same order as maskedNcc, so the results are identical to three calls.
 */
export function maskedNccRow3(a: PhaseRegion, b: PhaseRegion, t: Vec3, step: readonly [number, number] = [1, 1]): [NccResult, NccResult, NccResult] {
  if (a.mask || b.mask) {
    return [maskedNcc(a, b, [t[0], t[1], t[2] - 1], step), maskedNcc(a, b, t, step), maskedNcc(a, b, [t[0], t[1], t[2] + 1], step)];
  }
  const lo0 = Math.max(0, t[0]), s0 = Math.max(0, Math.min(a.shape[0], b.shape[0] + t[0]) - lo0);
  const lo1 = Math.max(0, t[1]), s1 = Math.max(0, Math.min(a.shape[1], b.shape[1] + t[1]) - lo1);
  const [, ha, wa] = a.shape;
  const [, hb, wb] = b.shape;
  // x range in a of each shift (d = 0, 1, 2 for −1, 0, +1).
  const lo = [0, 0, 0], hi = [0, 0, 0], size: Vec3 = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const tx = t[2] + d - 1;
    lo[d] = Math.max(0, tx);
    hi[d] = Math.max(lo[d], Math.min(wa, wb + tx));
    size[d] = hi[d] - lo[d];
  }
  const result = (d: number, n: number, sa: number, sb: number, saa: number, sbb: number, sab: number): NccResult => {
    const overlap: Vec3 = [s0, s1, size[d]];
    if (s0 * s1 * size[d] === 0) return { r: NaN, voxels: 0, overlap };
    if (n < 2) return { r: NaN, voxels: n, overlap };
    const va = saa - (sa * sa) / n, vb = sbb - (sb * sb) / n;
    if (va <= 1e-12 * (saa + 1e-300) || vb <= 1e-12 * (sbb + 1e-300)) return { r: NaN, voxels: n, overlap };
    return { r: (sab - (sa * sb) / n) / Math.sqrt(va * vb), voxels: n, overlap };
  };
  const ad = a.data, bd = b.data;
  // Accumulators per shift: [n, sa, sb, saa, sbb, sab] × 3.
  const acc = new Float64Array(18);
  const cLo = Math.max(lo[0], lo[1], lo[2]), cHi = Math.min(hi[0], hi[1], hi[2]);
  const minLo = Math.min(lo[0], lo[1], lo[2]), maxHi = Math.max(hi[0], hi[1], hi[2]);
  // One voxel i of a into shift d's sums (the ends of a row, where the three ranges differ).
  const edge = (oa: number, obBase: number, i: number): void => {
    for (let d = 0; d < 3; d++) {
      if (i < lo[d] || i >= hi[d]) continue;
      const x = ad[oa], y = bd[obBase + i - (t[2] + d - 1)];
      const q = 6 * d;
      acc[q] += 1;
      acc[q + 1] += x;
      acc[q + 2] += y;
      acc[q + 3] += x * x;
      acc[q + 4] += y * y;
      acc[q + 5] += x * y;
    }
  };
  for (let k = 0; k < s0; k += step[0]) {
    const ka = lo0 + k, kb = ka - t[0];
    for (let j = 0; j < s1; j += step[1]) {
      const ja = lo1 + j, jb = ja - t[1];
      const rowA = (ka * ha + ja) * wa;
      const obBase = (kb * hb + jb) * wb;
      for (let i = minLo; i < Math.min(cLo, maxHi); i++) edge(rowA + i, obBase, i);
      if (cHi > cLo) {
        // b's index for shift d at a's x = i: obBase + i − t2 − d + 1.
        const b0 = obBase - t[2] + 1;
        let s_b0 = acc[2], s_bb0 = acc[4], s_ab0 = acc[5];
        let s_b1 = acc[8], s_bb1 = acc[10], s_ab1 = acc[11];
        let s_b2 = acc[14], s_bb2 = acc[16], s_ab2 = acc[17];
        let a0 = acc[1], aa0 = acc[3], a1 = acc[7], aa1 = acc[9], a2 = acc[13], aa2 = acc[15];
        for (let i = cLo, oa = rowA + cLo, ob = b0 + cLo; i < cHi; i++, oa++, ob++) {
          const x = ad[oa];
          const y0 = bd[ob], y1 = bd[ob - 1], y2 = bd[ob - 2];
          a0 += x;
          aa0 += x * x;
          a1 += x;
          aa1 += x * x;
          a2 += x;
          aa2 += x * x;
          s_b0 += y0;
          s_bb0 += y0 * y0;
          s_ab0 += x * y0;
          s_b1 += y1;
          s_bb1 += y1 * y1;
          s_ab1 += x * y1;
          s_b2 += y2;
          s_bb2 += y2 * y2;
          s_ab2 += x * y2;
        }
        const m = cHi - cLo;
        acc[0] += m; acc[6] += m; acc[12] += m;
        acc[1] = a0; acc[3] = aa0; acc[7] = a1; acc[9] = aa1; acc[13] = a2; acc[15] = aa2;
        acc[2] = s_b0; acc[4] = s_bb0; acc[5] = s_ab0;
        acc[8] = s_b1; acc[10] = s_bb1; acc[11] = s_ab1;
        acc[14] = s_b2; acc[16] = s_bb2; acc[17] = s_ab2;
      }
      for (let i = Math.max(cHi, cLo, minLo); i < maxHi; i++) edge(rowA + i, obBase, i);
    }
  }
  return [0, 1, 2].map((d) => result(d, acc[6 * d], acc[6 * d + 1], acc[6 * d + 2], acc[6 * d + 3], acc[6 * d + 4], acc[6 * d + 5])) as [NccResult, NccResult, NccResult];
}

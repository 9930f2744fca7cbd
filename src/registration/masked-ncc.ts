/**
 * Normalised cross-correlation (Pearson r) of two regions over their overlap at an integer
 * translation, counting only voxels valid in both (masked NCC), so that the empty corners of a
 * tomogram or NaN never contribute. Lewis (1995), "Fast normalized cross-correlation".
 */
import type { Vec3 } from '../geometry/box.js';
import type { PhaseRegion } from './phase-correlation.js';
import { registrationKernels as kernels } from './wasm/registration-kernels.js';

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
  if (kernels && !am && !bm && kernels.holds(ad) && kernels.holds(bd)) {
    const s = kernels.nccSums(ad, bd, {
      planeA: ha * wa, rowA: wa, planeB: hb * wb, rowB: wb,
      oa0: (lo[0] * ha + lo[1]) * wa + lo[2],
      ob0: ((lo[0] - t[0]) * hb + lo[1] - t[1]) * wb + lo[2] - t[2],
      nk: size[0], nj: size[1], ni: size[2], sk: step[0], sj: step[1],
    });
    [sa, sb, saa, sbb, sab] = s;
    n = Math.ceil(size[0] / step[0]) * Math.ceil(size[1] / step[1]) * size[2];
    return nccFromSums(n, sa, sb, saa, sbb, sab, size);
  }
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
  return nccFromSums(n, sa, sb, saa, sbb, sab, size);
}

function nccFromSums(n: number, sa: number, sb: number, saa: number, sbb: number, sab: number, size: Vec3): NccResult {
  if (n < 2) return { r: NaN, voxels: n, overlap: size };
  const va = saa - (sa * sa) / n, vb = sbb - (sb * sb) / n;
  // Relative floor: a side whose variance is at rounding level is constant.
  if (va <= 1e-12 * (saa + 1e-300) || vb <= 1e-12 * (sbb + 1e-300)) return { r: NaN, voxels: n, overlap: size };
  return { r: (sab - (sa * sb) / n) / Math.sqrt(va * vb), voxels: n, overlap: size };
}

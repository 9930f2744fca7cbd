/**
 * Sub-voxel refinement of an integer translation by a symmetric gradient (optical-flow) step:
 * with b resampled on a's grid at the integer translation, a − b ≈ −∇m·δ where ∇m is the mean of
 * both regions' central-difference gradients; δ is the least-squares solution over the overlap.
 * Using both gradients cancels the second-order term, so the estimate stays unbiased for |δ| ≤ ½
 * (Lucas & Kanade 1981; symmetric form as in Pan 2009 doi:10.1088/0957-0233/20/6/062001 for
 * digital image correlation). Both sides are z-scored over the overlap, so gain and offset
 * differences between tiles do not bias it; only voxels valid in both (with valid neighbours) count.
 */
import type { Vec3 } from '../geometry/box.js';
import type { PhaseRegion } from './phase-correlation.js';
import { registrationKernels as kernels, type KernelBox } from './wasm/registration-kernels.js';

/**
 * δ (per axis; 0 on inactive axes) such that the translation is t + δ, or undefined when ill-posed.
 * `step` samples every step-th plane (z) and row (y) of the overlap, for very large overlaps.
 */
export function gradientSubvoxel(a: PhaseRegion, b: PhaseRegion, t: Vec3, active: readonly number[], step: readonly [number, number] = [1, 1]): Vec3 | undefined {
  const lo: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  for (let ax = 0; ax < 3; ax++) {
    lo[ax] = Math.max(0, t[ax]);
    size[ax] = Math.min(a.shape[ax], b.shape[ax] + t[ax]) - lo[ax];
    if (size[ax] < (active.includes(ax) ? 3 : 1)) return undefined;
  }
  const [, ha, wa] = a.shape;
  const [, hb, wb] = b.shape;
  const strideA: Vec3 = [ha * wa, wa, 1];
  const strideB: Vec3 = [hb * wb, wb, 1];
  const ad = a.data, bd = b.data, am = a.mask, bm = b.mask;
  const inner = (ax: number): [number, number] => (active.includes(ax) ? [1, size[ax] - 1] : [0, size[ax]]);
  const [k0, k1] = inner(0), [j0, j1] = inner(1), [i0, i1] = inner(2);
  const dense = !am && !bm;
  // Neighbour strides of the active axes (0 = inactive, never read).
  const sa0 = active.includes(0) ? strideA[0] : 0, sa1 = active.includes(1) ? strideA[1] : 0, sa2 = active.includes(2) ? strideA[2] : 0;
  const sb0 = active.includes(0) ? strideB[0] : 0, sb1 = active.includes(1) ? strideB[1] : 0, sb2 = active.includes(2) ? strideB[2] : 0;
  const usable = (oa: number, ob: number): boolean => {
    if ((am && !am[oa]) || (bm && !bm[ob])) return false;
    if (am && (!am[oa + sa0] || !am[oa - sa0] || !am[oa + sa1] || !am[oa - sa1] || !am[oa + sa2] || !am[oa - sa2])) return false;
    if (bm && (!bm[ob + sb0] || !bm[ob - sb0] || !bm[ob + sb1] || !bm[ob - sb1] || !bm[ob + sb2] || !bm[ob - sb2])) return false;
    return true;
  };
  const kern = dense && kernels && kernels.holds(ad) && kernels.holds(bd) ? kernels : null;
  const box: KernelBox = {
    planeA: ha * wa, rowA: wa, planeB: hb * wb, rowB: wb,
    oa0: ((lo[0] + k0) * ha + lo[1] + j0) * wa + lo[2] + i0,
    ob0: ((lo[0] + k0 - t[0]) * hb + lo[1] + j0 - t[1]) * wb + lo[2] + i0 - t[2],
    nk: k1 - k0, nj: j1 - j0, ni: i1 - i0, sk: step[0], sj: step[1],
  };
  // Pass 1: means and variances over the usable voxels.
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
  if (kern) {
    [sa, sb, saa, sbb] = kern.nccSums(ad, bd, box);
    n = Math.ceil(box.nk / box.sk) * Math.ceil(box.nj / box.sj) * box.ni;
  } else {
    for (let k = k0; k < k1; k += step[0]) {
      const ka = lo[0] + k, kb = ka - t[0];
      for (let j = j0; j < j1; j += step[1]) {
        const ja = lo[1] + j, jb = ja - t[1];
        let oa = (ka * ha + ja) * wa + lo[2] + i0;
        let ob = (kb * hb + jb) * wb + lo[2] + i0 - t[2];
        for (let i = i0; i < i1; i++, oa++, ob++) {
          if (!dense && !usable(oa, ob)) continue;
          const x = ad[oa], y = bd[ob];
          n++;
          sa += x;
          sb += y;
          saa += x * x;
          sbb += y * y;
        }
      }
    }
  }
  if (n < 8) return undefined;
  const ma = sa / n, mb = sb / n;
  const va = saa / n - ma * ma, vb = sbb / n - mb * mb;
  if (!(va > 0 && vb > 0)) return undefined;
  const ia = 1 / Math.sqrt(va), ib = 1 / Math.sqrt(vb);
  const d = active.length;
  const G = new Float64Array(9);
  const h = new Float64Array(3);
  // Pass 2: the 3×3 normal equations (gradients of inactive axes are 0: their strides are 0).
  let g00 = 0, g01 = 0, g02 = 0, g11 = 0, g12 = 0, g22 = 0, h0 = 0, h1 = 0, h2 = 0;
  if (kern) {
    [g00, g01, g02, g11, g12, g22, h0, h1, h2] = kern.gradientSums(ad, bd, box, [sa0, sa1, sa2], [sb0, sb1, sb2], ma, mb, ia, ib);
  } else {
    for (let k = k0; k < k1; k += step[0]) {
      const ka = lo[0] + k, kb = ka - t[0];
      for (let j = j0; j < j1; j += step[1]) {
        const ja = lo[1] + j, jb = ja - t[1];
        let oa = (ka * ha + ja) * wa + lo[2] + i0;
        let ob = (kb * hb + jb) * wb + lo[2] + i0 - t[2];
        for (let i = i0; i < i1; i++, oa++, ob++) {
          if (!dense && !usable(oa, ob)) continue;
          const diff = (ad[oa] - ma) * ia - (bd[ob] - mb) * ib;
          const gz = 0.25 * ((ad[oa + sa0] - ad[oa - sa0]) * ia + (bd[ob + sb0] - bd[ob - sb0]) * ib);
          const gy = 0.25 * ((ad[oa + sa1] - ad[oa - sa1]) * ia + (bd[ob + sb1] - bd[ob - sb1]) * ib);
          const gx = 0.25 * ((ad[oa + sa2] - ad[oa - sa2]) * ia + (bd[ob + sb2] - bd[ob - sb2]) * ib);
          g00 += gz * gz;
          g01 += gz * gy;
          g02 += gz * gx;
          g11 += gy * gy;
          g12 += gy * gx;
          g22 += gx * gx;
          h0 += gz * diff;
          h1 += gy * diff;
          h2 += gx * diff;
        }
      }
    }
  }
  const full = [
    [g00, g01, g02],
    [g01, g11, g12],
    [g02, g12, g22],
  ];
  const hv = [h0, h1, h2];
  active.forEach((p, qi) => {
    h[qi] = hv[p];
    active.forEach((q, qj) => (G[qi * 3 + qj] = full[p][q]));
  });
  const x = solveSymmetric(G, h, d);
  if (!x) return undefined;
  const out: Vec3 = [0, 0, 0];
  active.forEach((ax, q) => (out[ax] = -x[q]));
  return out;
}

/** Solve G x = h for a d×d symmetric positive-definite G (stored 3×3), by Cholesky. */
function solveSymmetric(G: Float64Array, h: Float64Array, d: number): number[] | undefined {
  const L = new Float64Array(9);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = G[i * 3 + j];
      for (let k = 0; k < j; k++) s -= L[i * 3 + k] * L[j * 3 + k];
      if (i === j) {
        if (!(s > 1e-12 * (G[i * 3 + i] + 1e-300))) return undefined;
        L[i * 3 + i] = Math.sqrt(s);
      } else L[i * 3 + j] = s / L[j * 3 + j];
    }
  const y = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = h[i];
    for (let k = 0; k < i; k++) s -= L[i * 3 + k] * y[k];
    y[i] = s / L[i * 3 + i];
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k * 3 + i] * x[k];
    x[i] = s / L[i * 3 + i];
  }
  return x;
}

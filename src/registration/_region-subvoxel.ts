/**
 * Step 4 of a region registration: the sub-voxel translation around the integer NCC maximum, by a
 * symmetric gradient step over the overlap (on smoothed copies) or a quadratic fit of the NCC.
 */
import type { Vec3 } from '../geometry/box.js';
import { binomialSmooth } from './binomial-smooth.js';
import { gradientSubvoxel } from './gradient-subvoxel.js';
import type { PhaseRegion } from './phase-correlation.js';
import { quadraticPeak } from './quadratic-peak.js';
import type { NccScorer } from './_ncc-scorer.js';

export interface SubvoxelResult {
  translation: Vec3;
  /** Whether the step converged (false: the integer translation is returned). */
  refined: boolean;
}

/**
 * The gradient step is accurate for |δ| ≤ ½: when it lands beyond, re-centre on the nearer integer
 * and repeat. It runs on smoothed copies (the same convolution on both sides does not move the
 * optimum), because white noise in the gradients would otherwise shrink the step; candidates are
 * scored unsmoothed, because smoothing inflates the correlation of wrong matches over small
 * overlaps. Only the overlaps the step can visit are smoothed: at most 3 re-centrings of ≤ 2 voxels.
 */
function gradientRefine(scorer: NccScorer, cur: Vec3, active: readonly number[], smooth: boolean): SubvoxelResult {
  const { a: pa, b: pb } = scorer;
  const reach = 6;
  const boxA = { lo: [0, 1, 2].map((ax) => Math.max(0, cur[ax] - reach)) as Vec3, size: [0, 0, 0] as Vec3 };
  const boxB = { lo: [0, 1, 2].map((ax) => Math.max(0, -cur[ax] - reach)) as Vec3, size: [0, 0, 0] as Vec3 };
  for (let ax = 0; ax < 3; ax++) {
    boxA.size[ax] = Math.min(pa.shape[ax], pb.shape[ax] + cur[ax] + reach) - boxA.lo[ax];
    boxB.size[ax] = Math.min(pb.shape[ax], pa.shape[ax] - cur[ax] + reach) - boxB.lo[ax];
  }
  const sa: PhaseRegion = smooth ? { ...pa, data: binomialSmooth(pa.data, pa.shape, pa.mask, boxA) } : pa;
  const sb: PhaseRegion = smooth ? { ...pb, data: binomialSmooth(pb.data, pb.shape, pb.mask, boxB) } : pb;
  let base: Vec3 = [...cur];
  for (let iter = 0; iter < 4; iter++) {
    if (base.some((v, ax) => Math.abs(v - cur[ax]) > reach)) break;
    const delta = gradientSubvoxel(sa, sb, base, active, scorer.localStep);
    if (!delta || !delta.every((v) => Math.abs(v) <= 1.5)) break;
    const moved = delta.map(Math.round) as Vec3;
    if (iter < 3 && moved.some((v) => v !== 0)) {
      base = [base[0] + moved[0], base[1] + moved[1], base[2] + moved[2]];
      continue;
    }
    return { translation: [0, 1, 2].map((ax) => base[ax] + delta[ax]) as Vec3, refined: true };
  }
  return { translation: [...cur], refined: false };
}

export function refineSubvoxel(
  scorer: NccScorer,
  cur: Vec3,
  active: readonly number[],
  around: number[] | null,
  method: 'gradient' | 'quadratic' | 'none',
  smooth: boolean,
): SubvoxelResult {
  if (method === 'gradient' && active.length > 0) return gradientRefine(scorer, cur, active, smooth);
  if (method === 'quadratic' && around) {
    const off = quadraticPeak(around, active.length);
    const translation: Vec3 = [...cur];
    active.forEach((ax, i) => (translation[ax] += off[i]));
    return { translation, refined: true };
  }
  return { translation: [...cur], refined: method === 'none' };
}

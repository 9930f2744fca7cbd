/**
 * The robust combination of the refinement windows of a pair: windows far from the component-wise
 * median (beyond 3 scaled median absolute deviations, and at least `tolerance` voxels) are
 * outliers; the shift is the mean of the inliers weighted by their correlation and voxels; a
 * consensus (at least 2 inliers when 2 or more windows measured, and at least half of them) is
 * required.
 */
import type { Vec3 } from '../geometry/box.js';

export interface WindowShift {
  shift: Vec3;
  correlation: number;
  voxels: number;
}

export interface CombinedShift {
  /** Null without a consensus. */
  shift: Vec3 | null;
  /** Per input window: whether it is an inlier. */
  inlier: boolean[];
  inliers: number;
  /** RMS distance of the inliers from the combined shift, voxels. */
  agreement: number;
  /** Mean correlation of the inliers. */
  correlation: number;
}

const median = (v: number[]): number => {
  const s = [...v].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function combineWindowShifts(windows: readonly WindowShift[], tolerance = 0.5): CombinedShift {
  if (windows.length === 0) return { shift: null, inlier: [], inliers: 0, agreement: 0, correlation: 0 };
  const centre = [0, 1, 2].map((ax) => median(windows.map((w) => w.shift[ax]))) as Vec3;
  const dev = windows.map((w) => Math.hypot(w.shift[0] - centre[0], w.shift[1] - centre[1], w.shift[2] - centre[2]));
  const limit = Math.max(tolerance, 3 * 1.4826 * median(dev));
  const inlier = dev.map((d) => d <= limit);
  const inliers = inlier.filter(Boolean).length;
  const needed = windows.length >= 2 ? Math.max(2, Math.ceil(windows.length / 2)) : 1;
  let wsum = 0, rsum = 0;
  const acc: Vec3 = [0, 0, 0];
  windows.forEach((w, i) => {
    if (!inlier[i]) return;
    const weight = Math.max(w.correlation, 1e-3) * Math.max(w.voxels, 1);
    wsum += weight;
    rsum += w.correlation;
    for (let ax = 0; ax < 3; ax++) acc[ax] += weight * w.shift[ax];
  });
  const correlation = inliers > 0 ? rsum / inliers : 0;
  if (inliers < needed || wsum === 0) return { shift: null, inlier, inliers, agreement: 0, correlation };
  const shift = acc.map((v) => v / wsum) as Vec3;
  let ss = 0;
  windows.forEach((w, i) => {
    if (inlier[i]) ss += (w.shift[0] - shift[0]) ** 2 + (w.shift[1] - shift[1]) ** 2 + (w.shift[2] - shift[2]) ** 2;
  });
  return { shift, inlier, inliers, agreement: Math.sqrt(ss / inliers), correlation };
}

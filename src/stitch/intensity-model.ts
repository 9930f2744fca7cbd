import { solveGraphOffsets, type DifferenceEdge } from './solve-graph-offsets.js';

/**
 * Per-tile intensity correction, value' = gain·value + offset, estimated from the overlaps:
 * for each overlapping pair the moments of both tiles' voxels over their common valid voxels.
 * The gain ratio of a pair is the slope of a Deming (orthogonal) regression of one tile on the
 * other (Deming, Statistical Adjustment of Data, 1943), which, unlike a ratio of spreads or an
 * ordinary regression, is not biased by the noise both tiles carry; log gains then follow from a
 * least-squares problem on the tile graph, and offsets make the means agree (a second one), one
 * tile per connected group held at gain 1, offset 0. This is the linear model of the "global intensity correction" of BigStitcher
 * (Hörl et al., Nat. Methods 16, 2019, doi:10.1038/s41592-019-0501-0), in closed form.
 */
export interface OverlapMoments {
  a: number;
  b: number;
  /** Number of voxels valid in both tiles, and sums over them (x: tile a, y: tile b). */
  n: number;
  sx: number;
  sy: number;
  sxx: number;
  syy: number;
  sxy: number;
}

export interface IntensityModel {
  gain: Float64Array;
  offset: Float64Array;
  /** RMS of the seam differences over all overlaps without and with the correction. */
  rmsBefore: number;
  rmsAfter: number;
  /** Whether the correction lowers seam differences enough to be worth applying. */
  helps: boolean;
}

/** Pairs whose overlap correlates less than this carry no gain information. */
export const MIN_CORRELATION = 0.2;

/** Applying it must cut the seam RMS by at least this fraction. */
export const HELPS_RATIO = 0.9;

function seamRms(m: OverlapMoments[], gain: ArrayLike<number>, offset: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (const p of m) {
    const ga = gain[p.a], gb = gain[p.b], d = offset[p.a] - offset[p.b];
    // Σ (ga·x + oa − gb·y − ob)² expanded in the moments.
    const s = ga * ga * p.sxx + gb * gb * p.syy - 2 * ga * gb * p.sxy + 2 * d * (ga * p.sx - gb * p.sy) + p.n * d * d;
    num += Math.max(0, s);
    den += p.n;
  }
  return den ? Math.sqrt(num / den) : 0;
}

export function intensityModel(nTiles: number, moments: OverlapMoments[]): IntensityModel {
  const gainEdges: DifferenceEdge[] = [];
  const stats = moments.map((p) => {
    const mx = p.sx / p.n, my = p.sy / p.n;
    const vx = Math.max(0, p.sxx / p.n - mx * mx), vy = Math.max(0, p.syy / p.n - my * my);
    const cxy = p.sxy / p.n - mx * my;
    return { mx, my, vx, vy, cxy };
  });
  moments.forEach((p, k) => {
    const s = stats[k];
    // A flat or uncorrelated overlap (blank tile, noise only) says nothing about gain.
    if (!(s.cxy > MIN_CORRELATION * Math.sqrt(s.vx * s.vy))) return;
    // y ≈ β·x + c with β = raw gain ratio b/a; correcting: gain_a = β·gain_b  ⇒  log gain_a − log gain_b = log β
    const beta = (s.vy - s.vx + Math.sqrt((s.vy - s.vx) ** 2 + 4 * s.cxy * s.cxy)) / (2 * s.cxy);
    gainEdges.push({ a: p.a, b: p.b, value: Math.log(beta), weight: p.n });
  });
  const logGain = solveGraphOffsets(nTiles, gainEdges);
  const gain = logGain.map(Math.exp);
  // gain_a·m_a + off_a = gain_b·m_b + off_b  ⇒  off_a − off_b = gain_b·m_b − gain_a·m_a
  const offEdges: DifferenceEdge[] = moments.map((p, k) => ({ a: p.a, b: p.b, value: gain[p.b] * stats[k].my - gain[p.a] * stats[k].mx, weight: p.n }));
  // Offsets are anchored on the gain graph's components too: give every pair an edge.
  const offset = solveGraphOffsets(nTiles, offEdges);
  const ones = new Float64Array(nTiles).fill(1), zeros = new Float64Array(nTiles);
  const rmsBefore = seamRms(moments, ones, zeros);
  const rmsAfter = seamRms(moments, gain, offset);
  return { gain, offset, rmsBefore, rmsAfter, helps: moments.length > 0 && rmsAfter < HELPS_RATIO * rmsBefore };
}

import { solveGraphOffsets, type DifferenceEdge } from './solve-graph-offsets.js';
import { fitPairQuantiles, pairMismatch, type PairQuantiles } from './_overlap-quantiles.js';

/**
 * Per-tile intensity correction, value' = gain·value + offset, estimated from the overlaps, that
 * never makes a mosaic worse:
 *
 * - **Distributions, not voxel pairs.** Each overlap is summarised by the deciles of both tiles'
 *   values over it; a pair's offset is the difference of their medians and its gain ratio the
 *   ratio of their decile spreads, or, where the voxels correlate well, the Deming slope (which
 *   the noise both tiles carry does not bias). Misregistered overlaps and periodic backgrounds (grid paper) leave
 *   these nearly unchanged, whereas a voxel-by-voxel fit (regression, seam RMS) rewards shrinking the
 *   contrast of tiles whose voxels do not line up.
 * - **Robust on the graph.** Log gains and offsets are solved by least squares on the tile graph
 *   with iteratively reweighted (Tukey biweight) edges, so one bad overlap cannot pull a tile.
 * - **Pulled towards identity.** Every tile also has a weak link to gain 1 / offset 0 (ridge
 *   regularisation), so a tile with little evidence stays as it was and the mosaic keeps its level.
 * - **Hold-out acceptance.** The overlaps are split into folds; a model fitted without a fold must
 *   lower the decile mismatch of that fold's overlaps (summed over folds) below `HELPS_RATIO` and
 *   by more than 1 % of the intensity range, or the identity is used. A correction that only the
 *   overlap it corrects supports (one pair; a tile seen by one overlap whose brightness there is
 *   not the tile's, e.g. bleached by the neighbour's exposure) is not confirmed and not applied.
 *
 * Same linear model as the "global intensity correction" of BigStitcher (Hörl et al., Nat.
 * Methods 16, 2019, doi:10.1038/s41592-019-0501-0); the quantile matching and the hold-out test are
 * what make it safe as a default.
 */
export interface OverlapSamples {
  a: number;
  b: number;
  /** Values of tile a and tile b at the same points (both valid), in scan order (z, y, x) of the overlap box. */
  x: Float32Array;
  y: Float32Array;
}

export interface IntensityModel {
  /** What views apply: the fitted model when accepted, else gain 1 / offset 0 for every tile. */
  gain: Float64Array;
  offset: Float64Array;
  /** Mean decile mismatch of held-out overlaps, without and with the correction (cross-validated). */
  rmsBefore: number;
  rmsAfter: number;
  /** Whether the correction is applied (it lowered the held-out mismatch enough). */
  helps: boolean;
  /** Why it is applied or not, in words (for the log and the report). */
  reason: string;
  /** The model fitted on every overlap, also when it was not accepted (for the report). */
  fitted?: { gain: number[]; offset: number[] };
}

/** Held-out mismatch must fall below this fraction of the uncorrected one. */
export const HELPS_RATIO = 0.9;
/** ... and by more than this fraction of the overlaps' typical interdecile range. */
export const MIN_GAIN_OF_RANGE = 0.01;
/** Weight of each tile's link to gain 1 / offset 0, relative to one overlap's. */
export const PRIOR_WEIGHT = 0.01;
/** Fewer common voxels than this in an overlap half carry no reliable deciles. */
export const MIN_SAMPLES = 32;

interface FittedModel {
  gain: Float64Array;
  offset: Float64Array;
}

function identity(n: number): FittedModel {
  return { gain: new Float64Array(n).fill(1), offset: new Float64Array(n) };
}

/** Least squares on differences with every tile also tied to 0 (a virtual node 0 = the prior), robustly reweighted. */
function solveRegularised(nTiles: number, edges: DifferenceEdge[], priorWeight: number, minScale: number): Float64Array {
  let weights = edges.map((e) => e.weight);
  let x = new Float64Array(nTiles);
  for (let iter = 0; iter < 4; iter++) {
    const shifted: DifferenceEdge[] = edges.map((e, k) => ({ a: e.a + 1, b: e.b + 1, value: e.value, weight: weights[k] })).filter((e) => e.weight > 0);
    for (let i = 0; i < nTiles; i++) shifted.push({ a: i + 1, b: 0, value: 0, weight: priorWeight });
    x = solveGraphOffsets(nTiles + 1, shifted).slice(1);
    const res = edges.map((e) => x[e.a] - x[e.b] - e.value);
    const abs = res.map(Math.abs).sort((p, q) => p - q);
    const mad = abs.length ? abs[Math.floor(abs.length / 2)] : 0;
    // Tukey biweight with c = 4.685 robust σ; the floor keeps a perfect fit from rejecting noise.
    const c = 4.685 * Math.max(1.4826 * mad, minScale);
    weights = edges.map((e, k) => (Math.abs(res[k]) >= c ? 0 : e.weight * (1 - (res[k] / c) ** 2) ** 2));
  }
  return Float64Array.from(x);
}

function fitModel(nTiles: number, pairs: PairQuantiles[]): FittedModel {
  const gainEdges: DifferenceEdge[] = [];
  for (const p of pairs) {
    // A flat overlap (blank, saturated) says nothing about gain.
    if (!(p.spreadA > 0 && p.spreadB > 0)) continue;
    // Raw b ≈ β·raw a; corrected values agree when gain_a = β·gain_b.
    gainEdges.push({ a: p.a, b: p.b, value: Math.log(p.ratio), weight: p.weight });
  }
  const gain = solveRegularised(nTiles, gainEdges, PRIOR_WEIGHT, 0.02).map(Math.exp);
  // gain_a·med_a + off_a = gain_b·med_b + off_b  ⇒  off_a − off_b = gain_b·med_b − gain_a·med_a
  const offEdges: DifferenceEdge[] = pairs.map((p) => ({ a: p.a, b: p.b, value: gain[p.b] * p.medianB - gain[p.a] * p.medianA, weight: p.weight }));
  const spreads = pairs.map((p) => Math.max(p.spreadA, p.spreadB)).sort((u, v) => u - v);
  const typical = spreads.length ? spreads[Math.floor(spreads.length / 2)] : 1;
  const offset = solveRegularised(nTiles, offEdges, PRIOR_WEIGHT, 0.02 * typical || 1e-6);
  return { gain, offset };
}

function totalMismatch(pairs: PairQuantiles[], m: FittedModel): number {
  return pairs.reduce((s, p) => s + pairMismatch(p, m.gain, m.offset), 0);
}

/** Overlaps are held out in this many folds (round-robin), or one at a time when fewer. */
export const FOLDS = 5;

export function intensityModel(nTiles: number, samples: OverlapSamples[]): IntensityModel {
  return intensityModelOfSummaries(nTiles, samples.filter((s) => s.x.length >= MIN_SAMPLES).map(fitPairQuantiles));
}

/**
 * The same from each overlap's summary (`fitPairQuantiles` of its samples): callers that sample
 * many overlaps summarise each as it is read, so the estimate holds ~200 bytes per overlap, not
 * its voxels (48³ × 8 bytes each; 11 GB for the 13,000 overlaps of a whole organ).
 */
export function intensityModelOfSummaries(nTiles: number, all: PairQuantiles[]): IntensityModel {
  const none = identity(nTiles);
  if (all.length === 0) return { ...none, rmsBefore: 0, rmsAfter: 0, helps: false, reason: 'no overlap with enough common voxels' };
  const fitted = fitModel(nTiles, all);
  // Cross-validation over overlaps: each fold's overlaps are judged by a model fitted on the others.
  const k = Math.min(FOLDS, all.length);
  let before = 0, after = 0;
  for (let f = 0; f < k; f++) {
    const test = all.filter((_, i) => i % k === f);
    const m = fitModel(nTiles, all.filter((_, i) => i % k !== f));
    before += totalMismatch(test, none);
    after += totalMismatch(test, m);
  }
  const rmsBefore = before / all.length, rmsAfter = after / all.length;
  const spreads = all.map((p) => Math.max(p.spreadA, p.spreadB)).sort((u, v) => u - v);
  const range = spreads[Math.floor(spreads.length / 2)];
  const helps = all.length > 1 && rmsAfter < HELPS_RATIO * rmsBefore && rmsBefore - rmsAfter > MIN_GAIN_OF_RANGE * range;
  const reason = all.length === 1
    ? 'not applied (identity): one overlap cannot confirm itself (a correction must be predicted by other overlaps)'
    : helps
      ? `applied: mismatch of held-out overlaps ${fmt(rmsBefore)} → ${fmt(rmsAfter)}`
      : `not applied (identity): it does not improve the held-out overlaps enough (mismatch ${fmt(rmsBefore)} → ${fmt(rmsAfter)}; needs < ${Math.round(HELPS_RATIO * 100)} % and a gain above 1 % of the intensity range ${fmt(range)})`;
  const chosen = helps ? fitted : none;
  return { gain: chosen.gain, offset: chosen.offset, rmsBefore, rmsAfter, helps, reason, fitted: { gain: Array.from(fitted.gain), offset: Array.from(fitted.offset) } };
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

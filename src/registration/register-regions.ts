/**
 * Registration of two regions held in memory: the science of one tile pair, without I/O.
 *
 * 1. Each region is centred on its valid mean (invalid voxels: NaN, fill value, outside the field
 *    of view), block-averaged by `downsample`, apodised and phase correlated (phase-correlation.ts).
 * 2. Each of the top `peaks` phase-correlation peaks stands for 2 translations per axis (the
 *    correlation is periodic in the padded size N: t and t − N); every candidate is scored by the
 *    masked normalised cross-correlation of the two regions over their actual overlap at full
 *    resolution, and the best one within the search margin wins (Preibisch et al. 2009,
 *    doi:10.1093/bioinformatics/btp184).
 * 3. An integer hill climb on the NCC undoes the downsampling's quantisation; a symmetric gradient
 *    step over the overlap (gradient-subvoxel.ts) or a quadratic fit of the NCC on the 3^d
 *    neighbourhood (quadratic-peak.ts) gives the sub-voxel translation.
 * 4. The result is rejected, with the reason, when a region is blank or constant, r is below
 *    `minCorrelation`, the overlap left is too small, or the translation leaves the margin.
 */
import type { Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';
import { blockAverage } from './block-average.js';
import { phaseCorrelation, phaseCorrelationShape, type FftEngine, type PhaseCorrelationResult } from './phase-correlation.js';
import { peakIsotropy, quadraticFit } from './quadratic-peak.js';
import { registrationKernels as kernels } from './wasm/registration-kernels.js';
import { prepareRegion, type PreparedRegion } from './_prepare-region.js';
import { NccScorer, type Scored } from './_ncc-scorer.js';
import { candidateTranslations, climbToIntegerPeak, neighbourhoodScores } from './_region-search.js';
import { refineSubvoxel } from './_region-subvoxel.js';

export interface RegionInput {
  data: TileTypedArray | Float32Array;
  shape: Vec3;
  /** 1 = voxel carries image (see validMask); null or absent = all valid. NaN is always invalid. */
  mask?: Uint8Array | null;
}

export interface RegisterRegionsOptions {
  /** Block-average factors (z, y, x) before the FFT. @default [1, 1, 1] */
  downsample?: Vec3;
  /** Phase-correlation peaks verified by NCC. @default 5 */
  peaks?: number;
  /** Tukey taper fraction per side. @default 0.05 */
  apodization?: number;
  /** Gaussian smoothing (σ, downsampled voxels) of the phase-correlation surface. @default 1 */
  peakSmoothing?: number;
  /** Reject below this r. @default 0.3 */
  minCorrelation?: number;
  /** Smallest acceptable overlap (voxels per axis) at the measured translation. @default [1, 1, 1] */
  minOverlap?: Vec3;
  /** Translation expected from the nominal positions (b's voxel j on a's voxel j + t). @default [0, 0, 0] */
  expected?: Vec3;
  /** Largest accepted |t − expected| per axis. @default [Infinity, Infinity, Infinity] */
  margin?: Vec3;
  /**
   * Reject when the NCC peak's smallest over largest curvature is not above this: a ridge (one
   * vessel along the overlap) leaves the shift along it undetermined. @default -0.05
   */
  minIsotropy?: number;
  /** Smooth both regions (binomial, σ ≈ 1 voxel) for the gradient sub-voxel step. @default true */
  smooth?: boolean;
  /** Sub-voxel refinement: symmetric gradient step, quadratic fit of the NCC, or none. @default 'gradient' */
  subvoxel?: 'gradient' | 'quadratic' | 'none';
  /**
   * `phase`: candidates from the phase correlation (any translation in the margin can be found).
   * `local`: no phase correlation, the climb starts at `expected` (a refinement window whose
   * translation is already known to within the margin). @default 'phase'
   */
  search?: 'phase' | 'local';
  /** FFTs of the phase correlation: `auto` (WebAssembly from 256 k voxels), `wasm` or `js`. @default 'auto' */
  fftEngine?: FftEngine;
}

export interface RegionRegistration {
  status: 'ok' | 'rejected';
  reason?: string;
  /** Translation t (b's voxel j sits on a's voxel j + t), sub-voxel; null when none was measured. */
  translation: Vec3 | null;
  /** Masked NCC at the integer translation nearest the result (0 when undefined). */
  correlation: number;
  /** Overlap box extent at that translation. */
  overlap: Vec3;
  /** Voxels valid in both inside the overlap. */
  voxels: number;
  peakRatio: number;
  /** Candidate translations scored by NCC. */
  candidates: number;
  /** Smallest over largest curvature of the NCC peak (1: round; near 0: a ridge). */
  isotropy: number;
  /** Whether the sub-voxel step converged (false: the integer shift is reported). */
  refined: boolean;
}

/** Leading words of the rejections for too thin an overlap (rejection-hint.ts matches them). */
const OVERLAP_TOO_SMALL = 'overlap too small';

/** A rejected registration with nothing measured unless `extra` says so. */
function rejected(reason: string, extra: Partial<RegionRegistration> = {}): RegionRegistration {
  return { status: 'rejected', reason, translation: null, correlation: 0, overlap: [0, 0, 0], voxels: 0, peakRatio: 0, candidates: 0, isotropy: 0, refined: false, ...extra };
}

/** The block-average factors of the phase correlation, capped by both regions. */
function phaseFactors(downsample: Vec3, a: Vec3, b: Vec3): Vec3 {
  return [0, 1, 2].map((ax) => Math.max(1, Math.min(downsample[ax], a[ax], b[ax]))) as Vec3;
}

export function registerRegions(a: RegionInput, b: RegionInput, opts: RegisterRegionsOptions = {}): RegionRegistration {
  const downsample = opts.downsample ?? [1, 1, 1];
  // Kernel memory for this pair: both centred regions, their smoothed copies (4 bytes a voxel
  // each), the smoothing's sub-box and scratch, the block averages (uint16 copies are transient).
  // A smoothed copy that does not fit leaves the gradient step in JavaScript (3× slower).
  if (kernels) {
    const na = a.shape[0] * a.shape[1] * a.shape[2], nb = b.shape[0] * b.shape[1] * b.shape[2];
    const plane = Math.max(a.shape[1] * a.shape[2], b.shape[1] * b.shape[2]);
    const f = phaseFactors(downsample, a.shape, b.shape);
    const fft = opts.search === 'local' ? null : phaseCorrelationShape(downsampledShape(a.shape, f), downsampledShape(b.shape, f), opts.fftEngine);
    kernels.begin(14 * (na + nb) + 24 * plane + 4096, fft);
  }
  try {
    return registerPrepared(a, b, opts);
  } finally {
    kernels?.end();
  }
}

/** The shape blockAverage gives `shape` by `factors` (already capped by both regions; partial blocks dropped). */
function downsampledShape(shape: Vec3, factors: Vec3): Vec3 {
  return [0, 1, 2].map((ax) => Math.floor(shape[ax] / factors[ax])) as Vec3;
}

type Settings = Required<RegisterRegionsOptions>;

function settings(opts: RegisterRegionsOptions): Settings {
  return {
    downsample: [1, 1, 1],
    peaks: 5,
    apodization: 0.05,
    peakSmoothing: 1,
    minCorrelation: 0.3,
    minOverlap: [1, 1, 1],
    expected: [0, 0, 0],
    margin: [Infinity, Infinity, Infinity],
    subvoxel: 'gradient',
    smooth: true,
    minIsotropy: -0.05,
    search: 'phase',
    fftEngine: 'auto',
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  };
}

/** Step 2: phase correlation of the block-averaged regions (null for a local search). */
function phaseStep(pa: PreparedRegion, pb: PreparedRegion, s: Settings, f: Vec3): PhaseCorrelationResult | null {
  if (s.search === 'local') return null;
  const da = blockAverage(pa.data, pa.shape, pa.mask, f);
  const db = blockAverage(pb.data, pb.shape, pb.mask, f);
  return phaseCorrelation(da, db, { peaks: s.peaks, apodization: s.apodization, smoothing: s.peakSmoothing, engine: s.fftEngine });
}

/** The best candidate outside the margin, scored only when needed (to say why a pair is rejected). */
function bestOutside(scorer: NccScorer, candidates: Vec3[], slack: number): Scored | undefined {
  return scorer.best(
    candidates.filter((t) => !scorer.within(t, slack)),
    'full',
  );
}

function registerPrepared(a: RegionInput, b: RegionInput, opts: RegisterRegionsOptions): RegionRegistration {
  const s = settings(opts);
  const pa = prepareRegion(a);
  const pb = prepareRegion(b);
  if (pa.valid < 2 || pb.valid < 2) return rejected('no valid voxels in the overlap (NaN, fill value or outside the field of view)');
  if (pa.constant || pb.constant) return rejected('blank or constant overlap');

  const f = phaseFactors(s.downsample, a.shape, b.shape);
  const pc = phaseStep(pa, pb, s, f);
  const active = [0, 1, 2].filter((ax) => Math.max(a.shape[ax], b.shape[ax]) > 1);
  const scorer = new NccScorer(pa, pb, s.expected, s.margin, s.minOverlap);
  const candidates = candidateTranslations(pc, f, s.expected, active);
  const slack = Math.max(...f);
  const common = { peakRatio: pc?.peakRatio ?? 0, candidates: candidates.length };
  // In very large overlaps the candidates are ranked by the sampled NCC too: the climb below
  // starts from the best and scores sampled anyway, and only its end point is scored in full.
  const start = scorer.best(
    candidates.filter((t) => scorer.within(t, slack)),
    'local',
  );
  if (!start) {
    const out = bestOutside(scorer, candidates, slack);
    if (out) return rejected('shift beyond the search margin', { ...common, translation: out.t, correlation: out.r.r, overlap: out.r.overlap, voxels: out.r.voxels });
    return rejected(`${OVERLAP_TOO_SMALL} at every candidate shift`, common);
  }

  const peak = climbToIntegerPeak(scorer, start.t, active, slack);
  const around = neighbourhoodScores(scorer, peak.t, active);
  const aroundOk = active.length > 0 && around.every((v) => Number.isFinite(v));
  const best = scorer.big ? scorer.ncc(peak.t) : peak.r;
  const isotropy = aroundOk ? peakIsotropy(quadraticFit(around, active.length).H) : 1;
  const sub = refineSubvoxel(scorer, peak.t, active, aroundOk ? around : null, s.subvoxel, s.smooth);
  const result: RegionRegistration = {
    status: 'ok',
    translation: sub.translation,
    correlation: best.r,
    overlap: best.overlap,
    voxels: best.voxels,
    isotropy,
    refined: sub.refined || active.length === 0,
    ...common,
  };
  return verdict(result, s, scorer, aroundOk ? { scores: around, t: peak.t, active } : null, () => bestOutside(scorer, candidates, slack));
}

/** The integer translation of neighbour `i` (C order over `active`) around `t`. */
function neighbourAt(t: Vec3, i: number, active: readonly number[]): Vec3 {
  const u: Vec3 = [...t];
  let r = i;
  for (let k = active.length - 1; k >= 0; k--) {
    u[active[k]] += (r % 3) - 1;
    r = Math.floor(r / 3);
  }
  return u;
}

/**
 * Why a climb stopped short of the peak: a better neighbour inside the margin was refused only for
 * its overlap (so a wider margin would not help, a smaller min_overlap_measured would).
 */
function stoppedClimbReason(better: readonly Vec3[], scorer: NccScorer): string {
  const outside = better.some((t) => !scorer.within(t, 0));
  const thin = better.some((t) => scorer.within(t, 0) && !scorer.overlapOk(scorer.local(t)));
  if (thin && !outside) return `${OVERLAP_TOO_SMALL} at the best match: the correlation still rises where the overlap is thinner than registration.min_overlap_measured`;
  return 'shift beyond the search margin';
}

/** The NCC on the 3^d neighbourhood of the integer peak `t` (C order over the active axes). */
interface Neighbourhood {
  scores: number[];
  t: Vec3;
  active: number[];
}

/**
 * Step 5: accept, or reject with the reason: a better match outside the margin, r below the
 * minimum, a translation outside the margin or a correlation still rising at it, a ridge, or no
 * convergence of the sub-voxel step.
 */
function verdict(result: RegionRegistration, s: Settings, scorer: NccScorer, hood: Neighbourhood | null, outside: () => Scored | undefined): RegionRegistration {
  const r = result.correlation;
  // Nothing convincing inside the margin but a better match outside it: the stage is off by more
  // than the margin (or the tiles are mislabelled), which is worth saying.
  if (!(r >= s.minCorrelation) || !(result.isotropy > s.minIsotropy) || !result.refined) {
    const out = outside();
    if (out && out.r.r >= s.minCorrelation && out.r.r > r) {
      return { ...result, status: 'rejected', reason: 'shift beyond the search margin', translation: out.t, correlation: out.r.r, overlap: out.r.overlap, voxels: out.r.voxels };
    }
  }
  if (!(r >= s.minCorrelation)) return { ...result, status: 'rejected', reason: `correlation ${r.toFixed(3)} below min_correlation ${s.minCorrelation}` };
  if (!scorer.within(result.translation!, 0)) return { ...result, status: 'rejected', reason: 'shift beyond the search margin' };
  // The climb was stopped before a peak: by the margin (the correlation still rises outside it),
  // or, inside the margin, by the smallest overlap allowed (the match leaves too thin an overlap).
  if (hood) {
    const around = hood.scores;
    const centre = (around.length - 1) / 2;
    const higher = around.map((v, i) => (i !== centre && v > around[centre] ? i : -1)).filter((i) => i >= 0);
    if (higher.length) return { ...result, status: 'rejected', reason: stoppedClimbReason(higher.map((i) => neighbourAt(hood.t, i, hood.active)), scorer) };
    if (!(result.isotropy > s.minIsotropy)) return { ...result, status: 'rejected', reason: 'no distinct correlation peak (a ridge: structure along one direction only)' };
  }
  if (!result.refined) return { ...result, status: 'rejected', reason: 'no distinct correlation peak (sub-voxel refinement did not converge)' };
  return result;
}

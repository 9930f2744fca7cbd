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
import { maskedNcc, type NccResult } from './masked-ncc.js';
import { phaseCorrelation, phaseCorrelationShape, type PhaseRegion } from './phase-correlation.js';
import { peakIsotropy, quadraticFit, quadraticPeak } from './quadratic-peak.js';
import { gradientSubvoxel } from './gradient-subvoxel.js';
import { binomialSmooth } from './binomial-smooth.js';
import { registrationKernels as kernels } from './wasm/registration-kernels.js';

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

interface Prepared extends PhaseRegion {
  valid: number;
  constant: boolean;
}

function prepare(r: RegionInput): Prepared {
  const n = r.shape[0] * r.shape[1] * r.shape[2];
  let mask = r.mask ?? null;
  const src = r.data;
  if (kernels && !mask && src instanceof Uint16Array) {
    // The common case (uint16 tiles, all valid): converted and centred in WebAssembly, in kernel memory.
    const c = kernels.centreU16(src);
    if (c) {
      const variance = n > 0 ? c.sumSquares / n : 0;
      return { data: c.data, shape: [...r.shape], mask: null, valid: n, constant: !(variance > 1e-10 * (c.mean * c.mean + 1e-20)) };
    }
  }
  let sum = 0, cnt = 0;
  for (let o = 0; o < n; o++) {
    const v = src[o];
    if ((mask && !mask[o]) || v !== v) continue;
    sum += v;
    cnt++;
  }
  if (cnt < n && !mask) {
    // NaN without an explicit mask: build one.
    mask = new Uint8Array(n);
    for (let o = 0; o < n; o++) mask[o] = src[o] === src[o] ? 1 : 0;
  } else if (mask && cnt < n) {
    for (let o = 0; o < n; o++) if (src[o] !== src[o]) mask[o] = 0;
  }
  const mean = cnt > 0 ? sum / cnt : 0;
  // Centring keeps the NCC sums well conditioned for 16-bit data with a large offset.
  const data = kernels ? kernels.f32(n) : new Float32Array(n);
  let ss = 0;
  for (let o = 0; o < n; o++) {
    if (mask && !mask[o]) continue;
    const v = src[o] - mean;
    data[o] = v;
    ss += v * v;
  }
  const variance = cnt > 0 ? ss / cnt : 0;
  return { data, shape: [...r.shape], mask, valid: cnt, constant: !(variance > 1e-10 * (mean * mean + 1e-20)) };
}

/**
 * Above this many voxels per box the candidate ranking, the local search and the gradient step
 * sample every other plane and row (every fourth row above 4×): a quarter of 1 M voxels still
 * estimates r and the gradient normal equations far more precisely than neighbouring shifts differ.
 */
const LOCAL_SEARCH_FULL_VOXELS = 1_000_000;

const key3 = (t: Vec3): string => `${t[0]},${t[1]},${t[2]}`;

export function registerRegions(a: RegionInput, b: RegionInput, opts: RegisterRegionsOptions = {}): RegionRegistration {
  const downsample = opts.downsample ?? [1, 1, 1];
  // Kernel memory for this pair: both centred regions, their smoothed copies with the smoothing's
  // scratch, the block averages (uint16 copies are transient).
  if (kernels) {
    const na = a.shape[0] * a.shape[1] * a.shape[2], nb = b.shape[0] * b.shape[1] * b.shape[2];
    const plane = Math.max(a.shape[1] * a.shape[2], b.shape[1] * b.shape[2]);
    // The block-average factors exactly as registerPrepared caps them (by both regions).
    const f = [0, 1, 2].map((ax) => Math.max(1, Math.min(downsample[ax], a.shape[ax], b.shape[ax]))) as Vec3;
    kernels.begin(10 * (na + nb) + 24 * plane + 4096, phaseCorrelationShape(downsampledShape(a.shape, f), downsampledShape(b.shape, f)));
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

function registerPrepared(a: RegionInput, b: RegionInput, opts: RegisterRegionsOptions): RegionRegistration {
  const {
    downsample = [1, 1, 1],
    peaks = 5,
    apodization = 0.05,
    peakSmoothing = 1,
    minCorrelation = 0.3,
    minOverlap = [1, 1, 1],
    expected = [0, 0, 0],
    margin = [Infinity, Infinity, Infinity],
    subvoxel = 'gradient',
    smooth = true,
    minIsotropy = -0.05,
  } = opts;
  const rejected = (reason: string, extra: Partial<RegionRegistration> = {}): RegionRegistration => ({
    status: 'rejected',
    reason,
    translation: null,
    correlation: 0,
    overlap: [0, 0, 0],
    voxels: 0,
    peakRatio: 0,
    candidates: 0,
    isotropy: 0,
    refined: false,
    ...extra,
  });
  const pa = prepare(a);
  const pb = prepare(b);
  if (pa.valid < 2 || pb.valid < 2) return rejected('no valid voxels in the overlap (NaN, fill value or outside the field of view)');
  if (pa.constant || pb.constant) return rejected('blank or constant overlap');

  const f: Vec3 = [0, 1, 2].map((ax) => Math.max(1, Math.min(downsample[ax], a.shape[ax], b.shape[ax]))) as Vec3;
  const da = blockAverage(pa.data, pa.shape, pa.mask, f);
  const db = blockAverage(pb.data, pb.shape, pb.mask, f);
  const pc = phaseCorrelation(da, db, { peaks, apodization, smoothing: peakSmoothing });
  const active = [0, 1, 2].filter((ax) => Math.max(a.shape[ax], b.shape[ax]) > 1);

  const scored = new Map<string, NccResult>();
  const ncc = (t: Vec3): NccResult => {
    const k = key3(t);
    let r = scored.get(k);
    if (!r) {
      r = maskedNcc(pa, pb, t);
      scored.set(k, r);
    }
    return r;
  };
  // The local search around a peak (hill climb, 3^d neighbourhood) in very large overlaps scores
  // every other plane and row: r is estimated without bias, the maximum stays where it is.
  const big = a.shape[0] * a.shape[1] * a.shape[2] > LOCAL_SEARCH_FULL_VOXELS;
  // Every fourth row above 4 M voxels: still ≥ 1 M sampled (2 M at 64×512×512).
  const localStep: [number, number] = big ? [a.shape[0] >= 16 ? 2 : 1, a.shape[0] * a.shape[1] * a.shape[2] > 4 * LOCAL_SEARCH_FULL_VOXELS && a.shape[1] >= 64 ? 4 : 2] : [1, 1];
  const local = new Map<string, NccResult>();
  const nccLocal = (t: Vec3): NccResult => {
    if (!big) return ncc(t);
    const k = key3(t);
    let r = local.get(k);
    if (!r) {
      r = maskedNcc(pa, pb, t, localStep);
      local.set(k, r);
    }
    return r;
  };
  const overlapOk = (r: NccResult): boolean => r.overlap.every((s, ax) => s >= Math.min(minOverlap[ax], a.shape[ax], b.shape[ax])) && Number.isFinite(r.r);
  const within = (t: ArrayLike<number>, slack: number): boolean => [0, 1, 2].every((ax) => Math.abs(t[ax] - expected[ax]) <= margin[ax] + slack);

  // Candidates: every peak with 2 periodic images per axis, scaled to full resolution.
  const candidates: Vec3[] = [];
  const seen = new Set<string>();
  for (const p of pc.peaks) {
    const per = [0, 1, 2].map((ax) => (pc.fftShape[ax] > 1 ? [p.shift[ax], p.shift[ax] - pc.fftShape[ax]] : [0]));
    for (const z of per[0])
      for (const y of per[1])
        for (const x of per[2]) {
          const t: Vec3 = [z * f[0], y * f[1], x * f[2]];
          const k = key3(t);
          if (seen.has(k)) continue;
          seen.add(k);
          candidates.push(t);
        }
  }
  // The nominal translation is a candidate too: a stage that is right needs no peak to be found.
  const nominal = expected.map((v, ax) => (active.includes(ax) ? Math.round(v) : 0)) as Vec3;
  if (nominal.every(Number.isFinite) && !seen.has(key3(nominal))) {
    seen.add(key3(nominal));
    candidates.push(nominal);
  }
  const slack = Math.max(...f);
  let bestIn: { t: Vec3; r: NccResult } | undefined;
  // In very large overlaps the candidates are ranked by the sampled NCC too: the climb below
  // starts from the best and scores sampled anyway, and only its end point is scored in full.
  for (const t of candidates) {
    if (!within(t, slack)) continue;
    const r = nccLocal(t);
    if (overlapOk(r) && (!bestIn || r.r > bestIn.r.r)) bestIn = { t, r };
  }
  // Candidates outside the margin are scored only when needed, to say why a pair is rejected.
  let outScored = false;
  let bestOutMemo: { t: Vec3; r: NccResult } | undefined;
  const bestOutside = (): { t: Vec3; r: NccResult } | undefined => {
    if (!outScored) {
      outScored = true;
      for (const t of candidates) {
        if (within(t, slack)) continue;
        const r = ncc(t);
        if (overlapOk(r) && (!bestOutMemo || r.r > bestOutMemo.r.r)) bestOutMemo = { t, r };
      }
    }
    return bestOutMemo;
  };
  const common = { peakRatio: pc.peakRatio, candidates: candidates.length };
  if (!bestIn) {
    const bestOut = bestOutside();
    if (bestOut) {
      return rejected('shift beyond the search margin', { ...common, translation: bestOut.t, correlation: bestOut.r.r, overlap: bestOut.r.overlap, voxels: bestOut.r.voxels });
    }
    return rejected('overlap too small at every candidate shift', common);
  }

  // Integer hill climb on the NCC (undoes the downsampling's quantisation): along the axes first
  // (2d scores a step), then over the whole 3^d neighbourhood, which the peak test needs anyway.
  let cur = bestIn.t;
  let curR = nccLocal(bestIn.t);
  const axisSteps: Vec3[] = [];
  const neighbourhood: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const d: Vec3 = [dz, dy, dx];
        if (!d.every((v, ax) => v === 0 || active.includes(ax))) continue;
        neighbourhood.push(d);
        if (Math.abs(dz) + Math.abs(dy) + Math.abs(dx) === 1) axisSteps.push(d);
      }
  const climb = (steps: Vec3[]): boolean => {
    let next: { t: Vec3; r: NccResult } | undefined;
    for (const d of steps) {
      const t: Vec3 = [cur[0] + d[0], cur[1] + d[1], cur[2] + d[2]];
      if (!within(t, 0)) continue;
      const r = nccLocal(t);
      if (overlapOk(r) && r.r > (next?.r.r ?? curR.r)) next = { t, r };
    }
    if (!next) return false;
    cur = next.t;
    curR = next.r;
    return true;
  };
  for (let step = 0; step < 4 * slack + 8; step++) {
    if (climb(axisSteps)) continue;
    if (!climb(neighbourhood)) break;
  }

  // The NCC on the 3^d neighbourhood of the integer maximum (already scored by the climb).
  const d = active.length;
  const around: number[] = [];
  for (let idx = 0; idx < 3 ** d; idx++) {
    const t: Vec3 = [...cur];
    let r = idx;
    for (let i = d - 1; i >= 0; i--) {
      t[active[i]] += (r % 3) - 1;
      r = Math.floor(r / 3);
    }
    around.push(nccLocal(t).r);
  }
  const aroundOk = d > 0 && around.every((v) => Number.isFinite(v));
  if (big) curR = ncc(cur);
  const isotropy = aroundOk ? peakIsotropy(quadraticFit(around, d).H) : 1;
  const translation: Vec3 = [...cur];
  let refined = subvoxel === 'none';
  if (subvoxel === 'gradient' && active.length > 0) {
    // The step is accurate for |δ| ≤ ½: when it lands beyond, re-centre on the nearer integer and repeat.
    // On smoothed copies (the same convolution on both sides does not move the optimum): white
    // noise in the gradients would otherwise shrink the step. Candidates are scored unsmoothed,
    // because smoothing inflates the correlation of wrong matches over small overlaps.
    // Only the overlaps the step can visit are smoothed: at most 3 re-centrings of ≤ 2 voxels.
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
      const delta = gradientSubvoxel(sa, sb, base, active, localStep);
      if (!delta || !delta.every((v) => Math.abs(v) <= 1.5)) break;
      const moved = delta.map(Math.round) as Vec3;
      if (iter < 3 && moved.some((v) => v !== 0)) {
        base = [base[0] + moved[0], base[1] + moved[1], base[2] + moved[2]];
        continue;
      }
      for (let ax = 0; ax < 3; ax++) translation[ax] = base[ax] + delta[ax];
      refined = true;
      break;
    }
  } else if (subvoxel === 'quadratic' && aroundOk) {
    // Quadratic fit of the NCC over the 3^d neighbourhood of the integer maximum.
    const off = quadraticPeak(around, d);
    active.forEach((ax, i) => (translation[ax] += off[i]));
    refined = true;
  }

  const result: RegionRegistration = {
    status: 'ok',
    translation,
    correlation: curR.r,
    overlap: curR.overlap,
    voxels: curR.voxels,
    isotropy,
    refined: refined || d === 0,
    ...common,
  };
  // Nothing convincing inside the margin but a better match outside it: the stage is off by more
  // than the margin (or the tiles are mislabelled), which is worth saying.
  if (!(curR.r >= minCorrelation) || !(isotropy > minIsotropy) || !result.refined) {
    const out = bestOutside();
    if (out && out.r.r >= minCorrelation && out.r.r > curR.r) {
      return { ...result, status: 'rejected', reason: 'shift beyond the search margin', translation: out.t, correlation: out.r.r, overlap: out.r.overlap, voxels: out.r.voxels };
    }
  }
  if (!(curR.r >= minCorrelation)) return { ...result, status: 'rejected', reason: `correlation ${curR.r.toFixed(3)} below min_correlation ${minCorrelation}` };
  if (!within(translation, 0)) return { ...result, status: 'rejected', reason: 'shift beyond the search margin' };
  // The climb was stopped by the margin, not by a peak: the correlation still rises outside it.
  const centre = (3 ** d - 1) / 2;
  if (aroundOk && around.some((v, i) => i !== centre && v > around[centre])) return { ...result, status: 'rejected', reason: 'shift beyond the search margin' };
  if (aroundOk && !(isotropy > minIsotropy)) return { ...result, status: 'rejected', reason: 'no distinct correlation peak (a ridge: structure along one direction only)' };
  if (!result.refined) return { ...result, status: 'rejected', reason: 'no distinct correlation peak (sub-voxel refinement did not converge)' };
  return result;
}

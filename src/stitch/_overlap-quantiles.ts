/** Deciles of both tiles over one overlap: the summary the intensity model fits and tests on. */
export interface PairQuantiles {
  a: number;
  b: number;
  /** 10th … 90th percentile of tile a's and tile b's values over the common voxels. */
  qa: Float64Array;
  qb: Float64Array;
  medianA: number;
  medianB: number;
  /** Spread: RMS deviation of the nine deciles from the median (all deciles count, not two). */
  spreadA: number;
  spreadB: number;
  /**
   * Gain ratio b/a of the pair: the Deming (orthogonal) regression slope of b on a when the voxels
   * correlate well (unbiased by the noise both carry; Deming, Statistical Adjustment of Data, 1943),
   * else the ratio of the decile spreads (insensitive to voxels that do not line up).
   */
  ratio: number;
  /** Pearson correlation of the two tiles' voxels over the overlap. */
  correlation: number;
  /**
   * How much the pair is trusted (0..1): full from `CONFIDENT_SAMPLES` common voxels on, and less
   * when the two decile sets are not linearly related (a thin sliver, or an overlap whose tiles do
   * not show the same region: a gain read from it would be noise).
   */
  weight: number;
}

export const CONFIDENT_SAMPLES = 2000;
/** RMS misfit of the decile-to-decile line, relative to the spread, tolerated at full weight. */
export const SHAPE_TOLERANCE = 0.15;

/** From this correlation on, the voxel-wise (Deming) slope is trusted over the spread ratio. */
export const DEMING_MIN_CORRELATION = 0.6;

const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

function deciles(v: Float32Array): Float64Array {
  const s = Float32Array.from(v).sort();
  return Float64Array.from(LEVELS, (q) => {
    const at = q * (s.length - 1), i = Math.floor(at), f = at - i;
    return i + 1 < s.length ? s[i] * (1 - f) + s[i + 1] * f : s[i];
  });
}

export function fitPairQuantiles(s: { a: number; b: number; x: Float32Array; y: Float32Array }): PairQuantiles {
  const qa = deciles(s.x), qb = deciles(s.y);
  const spreadA = decileSpread(qa), spreadB = decileSpread(qb);
  const { correlation, slope } = deming(s.x, s.y);
  const ratio = correlation >= DEMING_MIN_CORRELATION && slope > 0 ? slope : spreadB / spreadA;
  const weight = Math.min(1, s.x.length / CONFIDENT_SAMPLES) * shapeAgreement(qa, qb, spreadA, spreadB);
  return { a: s.a, b: s.b, qa, qb, medianA: qa[4], medianB: qb[4], spreadA, spreadB, ratio, correlation, weight };
}

/** 1 when b's deciles are a's up to gain and offset, falling as (tolerance / misfit)² beyond. */
function shapeAgreement(qa: Float64Array, qb: Float64Array, spreadA: number, spreadB: number): number {
  if (!(spreadA > 0 && spreadB > 0)) return 1;
  let s = 0;
  for (let k = 0; k < qa.length; k++) s += ((qb[k] - qb[4]) / spreadB - (qa[k] - qa[4]) / spreadA) ** 2;
  const misfit = Math.sqrt(s / (qa.length - 1));
  return misfit <= SHAPE_TOLERANCE ? 1 : (SHAPE_TOLERANCE / misfit) ** 2;
}

function deming(x: Float32Array, y: Float32Array): { correlation: number; slope: number } {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let vx = 0, vy = 0, cxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    vx += dx * dx;
    vy += dy * dy;
    cxy += dx * dy;
  }
  if (!(vx > 0 && vy > 0) || cxy === 0) return { correlation: 0, slope: NaN };
  const slope = (vy - vx + Math.sqrt((vy - vx) ** 2 + 4 * cxy * cxy)) / (2 * cxy);
  return { correlation: cxy / Math.sqrt(vx * vy), slope };
}

function decileSpread(q: Float64Array): number {
  let s = 0;
  for (const v of q) s += (v - q[4]) ** 2;
  return Math.sqrt(s / (q.length - 1));
}

/** Mean |corrected decile of a − corrected decile of b| (gains are positive, so deciles map through). */
export function pairMismatch(p: PairQuantiles, gain: ArrayLike<number>, offset: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < p.qa.length; k++) s += Math.abs(gain[p.a] * p.qa[k] + offset[p.a] - gain[p.b] * p.qb[k] - offset[p.b]);
  return s / p.qa.length;
}

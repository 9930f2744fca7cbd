import { StitchgraphError } from '../errors.js';
import { otsuThreshold } from './otsu-threshold.js';

/** Threshold rule of the `analysis:` section: `otsu`, a fixed number, or a percentile `pNN`. */
export type ThresholdRule = 'otsu' | number | string;

/** Intensity histogram of a whole volume: `bins` equal-width bins over [lo, hi]. */
export interface VolumeHistogram {
  lo: number;
  hi: number;
  counts: number[];
}

/** Add the finite values of `data` into `counts` (bins over [lo, hi]). */
export function accumulateHistogram(data: ArrayLike<number>, lo: number, hi: number, counts: Float64Array | number[]): void {
  const nb = counts.length;
  const scale = hi > lo ? nb / (hi - lo) : 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    let b = Math.floor((v - lo) * scale);
    if (b < 0) b = 0;
    else if (b >= nb) b = nb - 1;
    counts[b]++;
  }
}

/**
 * The threshold value a rule gives on a volume's histogram (foreground is `value > threshold`).
 * Percentiles are read off the histogram with linear interpolation inside the bin, so they are
 * exact to within one bin width ((hi − lo) / bins).
 */
export function histogramThreshold(rule: ThresholdRule, hist: VolumeHistogram): number {
  if (typeof rule === 'number') return rule;
  if (rule === 'otsu') return otsuThreshold(hist.counts, hist.lo, hist.hi);
  const m = /^p(\d+(?:\.\d+)?)$/.exec(rule);
  if (!m || Number(m[1]) > 100) throw new StitchgraphError('ConfigError', `Cannot threshold: "${rule}" is not a rule (use otsu, a number, or pNN with NN in 0..100)`);
  const q = Number(m[1]) / 100;
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const target = q * total;
  const width = (hist.hi - hist.lo) / hist.counts.length;
  let acc = 0;
  for (let i = 0; i < hist.counts.length; i++) {
    const c = hist.counts[i];
    if (acc + c >= target && c > 0) return hist.lo + (i + (target - acc) / c) * width;
    acc += c;
  }
  return hist.hi;
}

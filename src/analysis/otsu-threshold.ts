/**
 * Otsu's threshold from a histogram: the level that maximises the between-class variance
 * (Otsu 1979, "A threshold selection method from gray-level histograms", IEEE Trans. SMC
 * 9(1):62–66, doi:10.1109/TSMC.1979.4310076). Bins are equal-width over [lo, hi]; the result is
 * the upper edge of the last background bin, so foreground is `value > threshold`.
 */
export function otsuThreshold(hist: ArrayLike<number>, lo: number, hi: number): number {
  const nb = hist.length;
  const width = (hi - lo) / nb;
  let total = 0, sumAll = 0;
  for (let i = 0; i < nb; i++) {
    total += hist[i];
    sumAll += hist[i] * (i + 0.5);
  }
  if (total === 0 || !(hi > lo)) return lo;
  let w0 = 0, sum0 = 0, best = -1, bestI = 0;
  for (let i = 0; i < nb - 1; i++) {
    w0 += hist[i];
    sum0 += hist[i] * (i + 0.5);
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0, m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      bestI = i;
    }
  }
  return lo + (bestI + 1) * width;
}

import type { BinnedSet } from './_grow-tree.js';

/**
 * Quantile bins of every feature of a training set (at most `maxBins`, ≤ 256 so a bin fits a byte):
 * splits are then searched among bin edges only. Edges are values taken from the samples, so a
 * split "bin ≤ b" is exactly "value ≤ edges[b]" on new data, which prediction compares directly.
 */
export function binFeatures(X: Float32Array, n: number, F: number, labels: Uint8Array, maxBins: number): BinnedSet {
  const bins = new Uint8Array(n * F);
  const edges: Float32Array[] = [];
  const col = new Float32Array(n);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < n; i++) col[i] = X[i * F + f];
    const sorted = Float32Array.from(col).sort();
    const e: number[] = [];
    for (let b = 1; b <= maxBins; b++) {
      const v = sorted[Math.min(n - 1, Math.ceil((b * n) / maxBins) - 1)];
      if (e.length === 0 || v > e[e.length - 1]) e.push(v);
    }
    const fe = Float32Array.from(e);
    edges.push(fe);
    for (let i = 0; i < n; i++) {
      // First edge ≥ value (binary search): the value's bin.
      const v = col[i];
      let a = 0, z = fe.length - 1;
      while (a < z) {
        const m = (a + z) >> 1;
        if (fe[m] >= v) z = m;
        else a = m + 1;
      }
      bins[i * F + f] = a;
    }
  }
  return { bins, featureCount: F, edges, labels };
}

/**
 * A per-campaign rejection threshold from a permutation test: the best correlation the full search
 * (phase correlation + NCC verification) finds between deliberately non-overlapping regions of the
 * campaign's own tiles is what "no real match" looks like for this data (contrast, noise, texture);
 * a real pair must beat it. As in MIST (Chalfoun et al. 2017, doi:10.1038/s41598-017-04567-y),
 * which estimates its thresholds from the data rather than fixing them.
 */

/** The `quantile` (1 = maximum) of the null correlations, never below `floor`; `floor` when there are none. */
export function permutationThreshold(nullCorrelations: readonly number[], quantile: number, floor: number): number {
  const v = nullCorrelations.filter((r) => Number.isFinite(r)).sort((p, q) => p - q);
  if (v.length === 0) return floor;
  const at = Math.min(v.length - 1, Math.max(0, Math.ceil(quantile * v.length) - 1));
  return Math.max(floor, v[at]);
}

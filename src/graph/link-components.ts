/**
 * Connected components of the tiles under the active links, by union–find with path halving and
 * union by size (R. E. Tarjan (1975), "Efficiency of a good but not linear set union algorithm",
 * J. ACM 22(2):215–225, doi:10.1145/321879.321884). Near-linear in links, no adjacency lists.
 */

export interface LinkComponents {
  /** Component label per tile: the smallest tile index in its component (campaign order). */
  label: Int32Array;
  /** Number of components. */
  count: number;
}

/** Components of `n` tiles joined by links a[e]–b[e] whose weight[e] > 0 (all links when weight is absent). */
export function linkComponents(n: number, a: Int32Array, b: Int32Array, weight?: Float64Array): LinkComponents {
  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  let count = n;
  for (let e = 0; e < a.length; e++) {
    if (weight && !(weight[e] > 0)) continue;
    let ra = find(a[e]);
    let rb = find(b[e]);
    if (ra === rb) continue;
    if (size[ra] < size[rb]) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    size[ra] += size[rb];
    count--;
  }
  // Relabel every root by the smallest member so labels do not depend on link order.
  const smallest = new Int32Array(n).fill(-1);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (smallest[r] < 0) smallest[r] = i;
    label[i] = smallest[r];
  }
  return { label, count };
}

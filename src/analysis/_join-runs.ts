/**
 * Union every run of [a0, a1) with the runs of one earlier row [b0, b1) that touch it: overlap
 * in x when `reach` is 0 (face neighbours), or overlap after widening by one voxel when `reach`
 * is 1 (edge and corner neighbours too). Both rows are sorted by x, so one sweep finds all pairs.
 * Roots stay the smallest run index of their set (raster order of first voxels).
 */
export function joinRuns(start: Int32Array, end: Int32Array, parent: Int32Array, a0: number, a1: number, b0: number, b1: number, reach: number): void {
  let j = b0;
  for (let k = a0; k < a1; k++) {
    const s = start[k] - reach, e = end[k] + reach;
    while (j < b1 && end[j] <= s) j++;
    if (j === b1) return;
    if (start[j] >= e) continue;
    let rk = rootOf(parent, k);
    let t = j;
    do {
      const rt = rootOf(parent, t);
      if (rt < rk) {
        parent[rk] = rt;
        rk = rt;
      } else if (rt > rk) parent[rt] = rk;
      t++;
    } while (t < b1 && start[t] < e);
    parent[k] = rk;
  }
}

/** Root of `a`, halving the path on the way (parents always point to smaller indices). */
function rootOf(parent: Int32Array, a: number): number {
  let p = parent[a];
  while (p !== a) {
    const g = parent[p];
    parent[a] = g;
    a = p;
    p = g;
  }
  return a;
}

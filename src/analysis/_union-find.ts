/**
 * Union-find over integer labels in an Int32Array (`parent[i] === i` for a root), with path
 * compression; the root of a set is always its smallest label, so merged labels keep scan order.
 */
export function findRoot(parent: Int32Array, a: number): number {
  let r = a;
  while (parent[r] !== r) r = parent[r];
  while (parent[a] !== r) {
    const n = parent[a];
    parent[a] = r;
    a = n;
  }
  return r;
}

/** Merge the sets of a and b; returns the (smaller) root. */
export function unionRoots(parent: Int32Array, a: number, b: number): number {
  let ra = findRoot(parent, a);
  let rb = findRoot(parent, b);
  if (ra === rb) return ra;
  if (ra > rb) {
    const t = ra;
    ra = rb;
    rb = t;
  }
  parent[rb] = ra;
  return ra;
}

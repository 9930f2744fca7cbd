/**
 * Least squares on a graph of differences: find x minimising Σ w·(x_a − x_b − value)² with one
 * node per connected component held at 0 (the component's first node). The normal equations are
 * a weighted graph Laplacian, solved by conjugate gradients (Hestenes & Stiefel, J. Res. NBS 49,
 * 1952, doi:10.6028/jres.049.044); graphs of tiles are small and sparse, so this converges in
 * a few hundred iterations at most. Nodes with no edge stay at 0.
 */
export interface DifferenceEdge {
  a: number;
  b: number;
  /** Measured x_a − x_b. */
  value: number;
  weight: number;
}

export function solveGraphOffsets(n: number, edges: DifferenceEdge[]): Float64Array {
  const x = new Float64Array(n);
  // Components (union-find) and their anchors: the smallest node index of each.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const e of edges) {
    const ra = find(e.a), rb = find(e.b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const fixed = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (find(i) === i) fixed[i] = 1;
  // b = Aᵀ W v restricted to free nodes; A x via edge loop.
  const rhs = new Float64Array(n);
  for (const e of edges) {
    rhs[e.a] += e.weight * e.value;
    rhs[e.b] -= e.weight * e.value;
  }
  const apply = (v: Float64Array, out: Float64Array) => {
    out.fill(0);
    for (const e of edges) {
      const va = fixed[e.a] ? 0 : v[e.a], vb = fixed[e.b] ? 0 : v[e.b];
      const d = e.weight * (va - vb);
      out[e.a] += d;
      out[e.b] -= d;
    }
    for (let i = 0; i < n; i++) if (fixed[i]) out[i] = 0;
  };
  const r = new Float64Array(n), p = new Float64Array(n), ap = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = fixed[i] ? 0 : rhs[i];
  p.set(r);
  let rr = r.reduce((s, v) => s + v * v, 0);
  const tol = 1e-24 * Math.max(1, rr);
  for (let it = 0; it < 10 * n + 10 && rr > tol; it++) {
    apply(p, ap);
    const pap = p.reduce((s, v, i) => s + v * ap[i], 0);
    if (pap <= 0) break;
    const alpha = rr / pap;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const rr2 = r.reduce((s, v) => s + v * v, 0);
    const beta = rr2 / rr;
    rr = rr2;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
  }
  for (let i = 0; i < n; i++) if (fixed[i]) x[i] = 0;
  return x;
}

/**
 * Weighted least-squares tile translations from pairwise shifts, by preconditioned conjugate
 * gradients on the weighted graph Laplacian.
 *
 * Minimises  Σ_e w_e ‖x_b(e) − x_a(e) − s_e‖²  over the free tiles, the fixed tiles held where
 * `x0` puts them. The normal equations are L x = g with L the weighted Laplacian
 * (L_ii = Σ w over the links of i, L_ij = −w_ij) and g_b += w s, g_a −= w s. The three axes share
 * L, so one sweep over the links serves the three right-hand sides (three independent CG runs).
 * One fixed tile per connected component makes L positive definite on the free tiles.
 *
 * The matrix is never formed: the product L p is one pass over the link list (O(links)), so
 * memory and time per iteration grow linearly with links. Preconditioner: an aggregation
 * multilevel V-cycle for big campaigns (aggregation-preconditioner.ts), Jacobi (the weighted
 * degree) for small ones.
 *
 * References:
 * - M. R. Hestenes, E. Stiefel (1952), "Methods of conjugate gradients for solving linear
 *   systems", J. Res. Natl. Bur. Stand. 49(6):409–436, doi:10.6028/jres.049.044.
 * - Y. Saad (2003), Iterative Methods for Sparse Linear Systems, 2nd ed., SIAM, Alg. 9.1 (PCG),
 *   doi:10.1137/1.9780898718003.
 * - S. Preibisch, S. Saalfeld, P. Tomancak (2009), "Globally optimal stitching of tiled 3D
 *   microscopic image acquisitions", Bioinformatics 25(11):1463–1465,
 *   doi:10.1093/bioinformatics/btp184 (the same objective, solved there by iterative relaxation).
 */

import { AggregationPreconditioner } from './aggregation-preconditioner.js';

const MULTILEVEL_CAP = 400;

/** Links as flat typed arrays: the hot-path form of a DisplacementGraph. */
export interface LinkSystem {
  /** Number of tiles. */
  n: number;
  /** Link endpoints (tile indices), length m. */
  a: Int32Array;
  b: Int32Array;
  /** Measured x_b − x_a, interleaved (dz, dy, dx) per link, length 3m. */
  shift: Float64Array;
  /** Link weights, length m; 0 = inactive (dropped). */
  weight: Float64Array;
}

export interface SolvePositionsOptions {
  /** Relative residual ‖g − Lx‖ / ‖g‖ at which an axis stops. @default 1e-10 */
  tolerance?: number;
  /**
   * Grids converge in about their diameter in iterations; a long chain of tiles needs up to its
   * length (CG is exact after n steps in exact arithmetic). @default max(20·√free + 500, free + 100)
   */
  maxIterations?: number;
  /**
   * `multilevel`: aggregation V-cycle (aggregation-preconditioner.ts), iterations nearly
   * independent of the campaign's size; `jacobi`: the weighted degree (cheaper per iteration,
   * iterations grow with the campaign's diameter). @default 'multilevel' above 2000 free tiles
   */
  preconditioner?: 'jacobi' | 'multilevel' | AggregationPreconditioner;
  /**
   * Scratch vectors kept between calls (pruning re-solves the same system many times): saves
   * allocating, and garbage-collecting, six vectors per solve on big campaigns.
   */
  workspace?: SolveWorkspace;
}

/** Reusable scratch space for `solvePositions` (sized on first use). */
export class SolveWorkspace {
  private buffers: Float64Array[] = [];
  /** Six zeroed vectors: diag (n) and g, r, z, p, q (3n each). */
  take(n: number): Float64Array[] {
    if (this.buffers.length === 0 || this.buffers[0].length !== n) {
      this.buffers = [new Float64Array(n), ...Array.from({ length: 5 }, () => new Float64Array(3 * n))];
    } else for (const v of this.buffers) v.fill(0);
    return this.buffers;
  }
}

export interface SolvePositionsResult {
  /** Positions (z, y, x) interleaved, length 3n. */
  x: Float64Array;
  /** CG iterations (the largest over the three axes). */
  iterations: number;
  converged: boolean;
}

/**
 * Solve for the free tiles' positions. `fixed[i] = 1` holds tile i at `x0`; every connected
 * component needs at least one fixed tile (tiles with no active link must be fixed).
 * `x0` (length 3n) is the warm start and is not modified.
 */
export function solvePositions(
  sys: LinkSystem,
  fixed: Uint8Array,
  x0: Float64Array,
  options: SolvePositionsOptions = {},
): SolvePositionsResult {
  const { n, a, b, shift, weight } = sys;
  const m = a.length;
  const x = Float64Array.from(x0);
  const [diag, g, r, z, p, q] = (options.workspace ?? new SolveWorkspace()).take(n);
  for (let e = 0; e < m; e++) {
    const w = weight[e];
    if (w === 0) continue;
    const ia = a[e], ib = b[e];
    diag[ia] += w;
    diag[ib] += w;
    for (let k = 0; k < 3; k++) {
      const ws = w * shift[3 * e + k];
      g[3 * ib + k] += ws;
      g[3 * ia + k] -= ws;
    }
  }
  let nFree = 0;
  for (let i = 0; i < n; i++) {
    if (!fixed[i] && diag[i] === 0) {
      throw new RangeError(`Cannot solve positions: tile index ${i} has no active link and is not fixed`);
    }
    if (!fixed[i]) nFree++;
  }
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? Math.max(Math.ceil(20 * Math.sqrt(nFree) + 500), nFree + 100);
  if (nFree === 0) return { x, iterations: 0, converged: true };
  const choice = options.preconditioner ?? (nFree > 2000 ? 'multilevel' : 'jacobi');
  const multilevel = choice instanceof AggregationPreconditioner ? choice : choice === 'multilevel' ? new AggregationPreconditioner(n, a, b, weight, fixed) : undefined;
  // The multilevel cycle should converge in tens of iterations; if it does not (a graph its
  // aggregation fits badly), continue with Jacobi from where it got rather than grind on.
  const cap = multilevel ? Math.min(maxIterations, MULTILEVEL_CAP) : maxIterations;


  const applyLaplacian = (v: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (let e = 0; e < m; e++) {
      const w = weight[e];
      if (w === 0) continue;
      const ia = 3 * a[e], ib = 3 * b[e];
      const d0 = w * (v[ib] - v[ia]);
      const d1 = w * (v[ib + 1] - v[ia + 1]);
      const d2 = w * (v[ib + 2] - v[ia + 2]);
      out[ib] += d0;
      out[ib + 1] += d1;
      out[ib + 2] += d2;
      out[ia] -= d0;
      out[ia + 1] -= d1;
      out[ia + 2] -= d2;
    }
  };

  applyLaplacian(x, q);
  const gNorm2 = [0, 0, 0];
  const rz = [0, 0, 0];
  const rr = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    if (fixed[i]) continue;
    const inv = 1 / diag[i];
    for (let k = 0; k < 3; k++) {
      const j = 3 * i + k;
      const ri = g[j] - q[j];
      r[j] = ri;
      z[j] = ri * inv;
      rr[k] += ri * ri;
      gNorm2[k] += g[j] * g[j];
    }
  }
  if (multilevel) multilevel.apply(r, z);
  for (let i = 0; i < n; i++) {
    if (fixed[i]) continue;
    for (let k = 0; k < 3; k++) {
      const j = 3 * i + k;
      p[j] = z[j];
      rz[k] += r[j] * z[j];
    }
  }
  // A zero right-hand side (all shifts zero, all fixed at 0) still has a scale: the diagonal.
  const stop = gNorm2.map((v) => (tolerance * Math.sqrt(Math.max(v, 1))) ** 2);
  const done = [rr[0] <= stop[0], rr[1] <= stop[1], rr[2] <= stop[2]];
  let it = 0;
  const alpha = [0, 0, 0];
  const beta = [0, 0, 0];
  while (!(done[0] && done[1] && done[2]) && it < cap) {
    it++;
    applyLaplacian(p, q);
    const pq = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      const j = 3 * i;
      pq[0] += p[j] * q[j];
      pq[1] += p[j + 1] * q[j + 1];
      pq[2] += p[j + 2] * q[j + 2];
    }
    for (let k = 0; k < 3; k++) alpha[k] = done[k] || pq[k] <= 0 ? 0 : rz[k] / pq[k];
    const rzNew = [0, 0, 0];
    rr[0] = rr[1] = rr[2] = 0;
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      const inv = 1 / diag[i];
      for (let k = 0; k < 3; k++) {
        const j = 3 * i + k;
        x[j] += alpha[k] * p[j];
        const ri = r[j] - alpha[k] * q[j];
        r[j] = ri;
        const zi = ri * inv;
        z[j] = zi;
        rzNew[k] += ri * zi;
        rr[k] += ri * ri;
      }
    }
    if (multilevel) {
      multilevel.apply(r, z);
      rzNew[0] = rzNew[1] = rzNew[2] = 0;
      for (let i = 0; i < n; i++) {
        if (fixed[i]) continue;
        const j = 3 * i;
        rzNew[0] += r[j] * z[j];
        rzNew[1] += r[j + 1] * z[j + 1];
        rzNew[2] += r[j + 2] * z[j + 2];
      }
    }
    for (let k = 0; k < 3; k++) {
      if (!done[k] && (rr[k] <= stop[k] || alpha[k] === 0)) done[k] = true;
      beta[k] = done[k] || rz[k] === 0 ? 0 : rzNew[k] / rz[k];
      rz[k] = rzNew[k];
    }
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      const j = 3 * i;
      p[j] = z[j] + beta[0] * p[j];
      p[j + 1] = z[j + 1] + beta[1] * p[j + 1];
      p[j + 2] = z[j + 2] + beta[2] * p[j + 2];
    }
  }
  const converged = done[0] && done[1] && done[2];
  if (multilevel && !converged && it < maxIterations) {
    const rest = solvePositions(sys, fixed, x, { tolerance, maxIterations: maxIterations - it, preconditioner: 'jacobi', workspace: options.workspace });
    return { x: rest.x, iterations: it + rest.iterations, converged: rest.converged };
  }
  return { x, iterations: it, converged };
}

import { describe, it, expect } from 'vitest';
import { solvePositions, type LinkSystem } from '../../src/graph/solve-positions.js';
import { findBridges } from '../../src/graph/find-bridges.js';
import { linkComponents } from '../../src/graph/link-components.js';
import { linkResiduals } from '../../src/graph/link-residuals.js';
import { DisplacementGraph } from '../../src/graph/displacement-graph.js';
import { Random } from '../../src/synth/random.js';
import { AggregationPreconditioner } from '../../src/graph/aggregation-preconditioner.js';
import { simulateCampaign } from './optimize-simulation.js';

function system(n: number, links: [number, number, number[], number?][]): LinkSystem {
  return {
    n,
    a: Int32Array.from(links.map((l) => l[0])),
    b: Int32Array.from(links.map((l) => l[1])),
    shift: Float64Array.from(links.flatMap((l) => l[2])),
    weight: Float64Array.from(links.map((l) => l[3] ?? 1)),
  };
}

describe('solvePositions (PCG on the weighted Laplacian)', () => {
  it('matches a dense least-squares solve on a random weighted graph', () => {
    const rng = new Random(3);
    const n = 30;
    const links: [number, number, number[], number][] = [];
    for (let i = 1; i < n; i++) links.push([rng.int(0, i - 1), i, [rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(-5, 5)], rng.uniform(0.1, 1)]);
    for (let k = 0; k < 60; k++) {
      const i = rng.int(0, n - 1), j = rng.int(0, n - 1);
      if (i !== j) links.push([i, j, [rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(-5, 5)], rng.uniform(0.1, 1)]);
    }
    const sys = system(n, links);
    const fixed = new Uint8Array(n);
    fixed[0] = 1;
    const x0 = new Float64Array(3 * n);
    x0.set([7, -3, 2], 0);
    const { x, converged } = solvePositions(sys, fixed, x0);
    expect(converged).toBe(true);
    expect([x[0], x[1], x[2]]).toEqual([7, -3, 2]);
    // Dense normal equations per axis, Gaussian elimination (reference).
    for (let k = 0; k < 3; k++) {
      const A = Array.from({ length: n - 1 }, () => new Array<number>(n).fill(0));
      for (const [a, b, s, w] of links) {
        const rows: [number, number][] = [[b, 1], [a, -1]];
        for (const [r, sign] of rows) {
          if (r === 0) continue;
          const R = A[r - 1];
          R[r - 1] += w;
          const other = r === a ? b : a;
          if (other === 0) R[n - 1] += w * x0[k];
          else R[other - 1] -= w;
          R[n - 1] += sign * w * s[k];
        }
      }
      for (let c = 0; c < n - 1; c++) {
        let p = c;
        for (let r = c + 1; r < n - 1; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
        [A[c], A[p]] = [A[p], A[c]];
        for (let r = 0; r < n - 1; r++) {
          if (r === c) continue;
          const f = A[r][c] / A[c][c];
          for (let q = c; q < n; q++) A[r][q] -= f * A[c][q];
        }
      }
      for (let i = 1; i < n; i++) expect(x[3 * i + k]).toBeCloseTo(A[i - 1][n - 1] / A[i - 1][i - 1], 6);
    }
  });

  it('reproduces exact shifts on a chain and throws for an unfixed isolated tile', () => {
    const sys = system(4, [[0, 1, [1, 2, 3]], [1, 2, [0.5, 0, -1]]]);
    const fixed = Uint8Array.from([1, 0, 0, 1]);
    const { x } = solvePositions(sys, fixed, new Float64Array(12));
    expect(Array.from(x.slice(6, 9)).map((v) => +v.toFixed(9))).toEqual([1.5, 2, 2]);
    expect(() => solvePositions(sys, Uint8Array.from([1, 0, 0, 0]), new Float64Array(12))).toThrow(/no active link/);
  });
});

describe('preconditioners', () => {
  it('multilevel and Jacobi reach the same solution; multilevel in far fewer iterations', () => {
    // A strip of 2 × 1500 tiles: Jacobi-CG needs about its length in iterations.
    const sim = simulateCampaign({ grid: [1, 2, 1500], noise: 0.2, seed: 2 });
    const g = DisplacementGraph.fromPairs(sim.tiles, sim.pairs);
    const sys = g.toLinkSystem();
    const fixed = new Uint8Array(sys.n);
    fixed[0] = 1;
    fixed[1700] = 1; // a second fixed tile: Dirichlet values inside the graph
    const x0 = g.nominalPositions();
    const jac = solvePositions(sys, fixed, x0, { preconditioner: 'jacobi' });
    const ml = solvePositions(sys, fixed, x0, { preconditioner: 'multilevel' });
    expect(jac.converged && ml.converged).toBe(true);
    expect(jac.iterations).toBeGreaterThan(1000);
    expect(ml.iterations).toBeLessThan(60);
    let d = 0;
    for (let i = 0; i < jac.x.length; i++) d = Math.max(d, Math.abs(jac.x[i] - ml.x[i]));
    expect(d).toBeLessThan(1e-5);
    expect(new AggregationPreconditioner(sys.n, sys.a, sys.b, sys.weight, fixed).depth).toBeGreaterThan(2);
  });

  it('multilevel preconditioner is symmetric positive definite', () => {
    const sim = simulateCampaign({ grid: [4, 12, 12], seed: 4 });
    const g = DisplacementGraph.fromPairs(sim.tiles, sim.pairs);
    const sys = g.toLinkSystem();
    const fixed = new Uint8Array(sys.n);
    fixed[0] = 1;
    const M = new AggregationPreconditioner(sys.n, sys.a, sys.b, sys.weight, fixed);
    const rng = new Random(9);
    const u = new Float64Array(3 * sys.n).map(() => rng.normal());
    const v = new Float64Array(3 * sys.n).map(() => rng.normal());
    u.fill(0, 0, 3);
    v.fill(0, 0, 3);
    const Mu = new Float64Array(u.length), Mv = new Float64Array(v.length);
    M.apply(u, Mu);
    M.apply(v, Mv);
    let vMu = 0, uMv = 0, uMu = 0;
    for (let i = 0; i < u.length; i++) {
      vMu += v[i] * Mu[i];
      uMv += u[i] * Mv[i];
      uMu += u[i] * Mu[i];
    }
    expect(Math.abs(vMu - uMv)).toBeLessThan(1e-9 * Math.abs(uMu));
    expect(uMu).toBeGreaterThan(0);
  });
});

describe('graph helpers', () => {
  it('findBridges: a triangle with a tail, parallel links are not bridges, dropped links ignored', () => {
    // 0-1-2-0 triangle, 2-3 tail, 3=4 doubled, 4-5 dropped.
    const sys = system(6, [[0, 1, [0, 0, 0]], [1, 2, [0, 0, 0]], [2, 0, [0, 0, 0]], [2, 3, [0, 0, 0]], [3, 4, [0, 0, 0]], [4, 3, [0, 0, 0]], [4, 5, [0, 0, 0], 0]]);
    expect(Array.from(findBridges(sys.n, sys.a, sys.b, sys.weight))).toEqual([0, 0, 0, 1, 0, 0, 0]);
  });

  it('linkComponents labels by the smallest tile index', () => {
    const sys = system(5, [[4, 2, [0, 0, 0]], [1, 3, [0, 0, 0]], [3, 0, [0, 0, 0], 0]]);
    const c = linkComponents(sys.n, sys.a, sys.b, sys.weight);
    expect(Array.from(c.label)).toEqual([0, 1, 2, 1, 2]);
    expect(c.count).toBe(3);
  });

  it('discrepancy undoes the leverage: a wrong link in a square ring shows its full error', () => {
    // Four tiles in a ring, true shifts exact; one link off by 4 voxels in x.
    const sys = system(4, [[0, 1, [0, 0, 10]], [1, 2, [0, 10, 0]], [2, 3, [0, 0, -10]], [3, 0, [0, -10, 4]]]);
    const fixed = Uint8Array.from([1, 0, 0, 0]);
    const { x } = solvePositions(sys, fixed, new Float64Array(12));
    const r = linkResiduals(sys, x);
    // The ring spreads the 4 voxels over four links: each residual is 1.
    for (let e = 0; e < 4; e++) expect(r.residual[e]).toBeCloseTo(1, 9);
    // Leverage estimate 1 / (1 + 1/(1/1 + 1/1)) = 2/3 → discrepancy 3 (exact leave-one-out: 4).
    expect(r.discrepancy[3]).toBeCloseTo(3, 9);
  });

  it('DisplacementGraph keeps accepted pairs as graphology edges and rejected ones aside', () => {
    const tiles = ['a', 'b', 'c'].map((id, i) => ({ id, nominal: [0, 0, 10 * i] as [number, number, number] }));
    const g = DisplacementGraph.fromPairs(tiles, [
      { a: 'a', b: 'b', shift: [0, 0, 10], correlation: 0.8, status: 'ok' },
      { a: 'b', b: 'c', shift: [0, 0, 10], correlation: 0.1, status: 'rejected' },
      { a: 'c', b: 'b', shift: [0, 0, -10], correlation: 0.1, status: 'rejected' },
    ]);
    expect(g.graph.order).toBe(3);
    expect(g.graph.size).toBe(1);
    expect(g.graph.getEdgeAttributes('a', 'b')).toMatchObject({ weight: 0.8, shift: [0, 0, 10] });
    expect(g.nominalLinks).toEqual([{ a: 'b', b: 'c' }]);
  });
});

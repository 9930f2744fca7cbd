import { describe, it, expect } from 'vitest';
import type { Vec3 } from '../../src/geometry/box.js';
import { optimizePositions } from '../../src/graph/optimize-positions.js';
import { formatQualityReport } from '../../src/graph/format-quality-report.js';
import { isStitchgraphError } from '../../src/errors.js';
import { simulateCampaign, maxErrorAfterCommonShift, linkKey, type Simulation } from './optimize-simulation.js';

const dist = (p: Vec3, q: Vec3) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);

/** Wrong links no method can find: every measured link of one of their tiles is wrong. */
function unidentifiable(sim: Simulation): Set<string> {
  const out = new Set<string>();
  const ok = sim.pairs.filter((p) => p.status === 'ok');
  for (const t of sim.tiles) {
    const mine = ok.filter((p) => p.a === t.id || p.b === t.id).map((p) => linkKey(p.a, p.b));
    if (mine.length > 0 && mine.every((k) => sim.wrong.has(k))) mine.forEach((k) => out.add(k));
  }
  return out;
}

describe('optimizePositions on simulated campaigns', () => {
  it('recovers the true positions from good pairs within 0.3 voxel, the first tile at its nominal position', () => {
    for (const seed of [1, 2]) {
      const sim = simulateCampaign({ grid: [5, 6, 6], noise: 0.1, seed });
      const r = optimizePositions(sim.tiles, sim.pairs);
      expect(maxErrorAfterCommonShift(r.tiles, sim.truth)).toBeLessThan(0.3);
      expect(r.tiles.t_0_0_0.position).toEqual(sim.tiles[0].nominal);
      expect(r.summary.dropped).toBe(0);
      expect(r.summary.groups).toBe(1);
      expect(r.summary.converged).toBe(true);
      // The stage error (±6) is gone: without the solve, positions would be that far off.
      const nominalOnly = Object.fromEntries(sim.tiles.map((t) => [t.id, { position: t.nominal }]));
      expect(maxErrorAfterCommonShift(nominalOnly, sim.truth)).toBeGreaterThan(3);
      expect(r.residuals.links).toHaveLength(sim.pairs.length);
      expect(r.residuals.mean).toBeGreaterThan(0);
      expect(r.residuals.max).toBeLessThan(1);
    }
  });

  it('drops every wrong link (10 % of links, 5–30 voxels off) and keeps positions within 0.5 voxel', () => {
    for (const [grid, seed] of [[[4, 6, 6], 1], [[4, 6, 6], 3], [[8, 8, 8], 1]] as [Vec3, number][]) {
      const sim = simulateCampaign({ grid, wrongFraction: 0.1, seed });
      expect(sim.wrong.size).toBe(Math.round(0.1 * sim.pairs.length));
      const r = optimizePositions(sim.tiles, sim.pairs);
      const dropped = new Set(r.residuals.dropped.map((d) => linkKey(d.a, d.b)));
      const hidden = unidentifiable(sim);
      for (const k of sim.wrong) if (!hidden.has(k)) expect(dropped.has(k), `wrong link ${k} kept`).toBe(true);
      const placed = sim.tiles.map((t) => t.id).filter((id) => ![...hidden].some((k) => k.split('|').includes(id)));
      expect(maxErrorAfterCommonShift(r.tiles, sim.truth, placed)).toBeLessThan(0.5);
      // Few good links go with them.
      const falseDrops = [...dropped].filter((k) => !sim.wrong.has(k)).length;
      expect(falseDrops).toBeLessThanOrEqual(Math.ceil(0.01 * sim.pairs.length));
      for (const d of r.residuals.dropped) expect(d.discrepancy).toBeGreaterThan(r.settings.max_error);
      expect(r.summary.max_residual).toBeLessThan(r.settings.max_error);
    }
  });

  it('a tile with all links wrong by far is cut loose and placed from the stage', () => {
    const sim = simulateCampaign({ grid: [3, 4, 6], seed: 5 });
    const victim = 't_2_3_5';
    // Three different wrong shifts (consistent ones would just say the stage was off).
    const offsets: Vec3[] = [[0, 45, -30], [30, -40, 0], [-35, 0, 45]];
    let n = 0;
    for (const p of sim.pairs) {
      if (p.a !== victim && p.b !== victim) continue;
      p.shift = [0, 1, 2].map((k) => p.shift[k] + offsets[n][k]) as Vec3;
      n++;
    }
    const r = optimizePositions(sim.tiles, sim.pairs);
    expect(r.summary.loners).toEqual([victim]);
    expect(r.tiles[victim].nominal_only).toBe(true);
    expect(r.residuals.dropped.filter((d) => d.a === victim || d.b === victim)).toHaveLength(3);
    const others = sim.tiles.map((t) => t.id).filter((id) => id !== victim);
    expect(maxErrorAfterCommonShift(r.tiles, sim.truth, others)).toBeLessThan(0.3);
  });

  it('places a blank tile nominally relative to its neighbours and reports it', () => {
    const blank = 't_1_2_2';
    const sim = simulateCampaign({ grid: [3, 4, 4], blank: [blank], seed: 7 });
    const r = optimizePositions(sim.tiles, sim.pairs);
    expect(r.summary.loners).toEqual([blank]);
    expect(r.tiles[blank].nominal_only).toBe(true);
    expect(r.tiles[blank].group).toBe(1);
    expect(r.groups[1]).toMatchObject({ tiles: 1, first: blank, placed_by: 'stage' });
    // Least squares over its weak stage links: the mean of (neighbour + nominal offset).
    const nominal = new Map(sim.tiles.map((t) => [t.id, t.nominal]));
    const nbrs = sim.pairs.filter((p) => p.a === blank || p.b === blank).map((p) => (p.a === blank ? p.b : p.a));
    expect(nbrs).toHaveLength(6);
    const expected = [0, 1, 2].map((k) => nbrs.reduce((s, id) => s + r.tiles[id].position[k] + nominal.get(blank)![k] - nominal.get(id)![k], 0) / nbrs.length) as Vec3;
    expect(dist(r.tiles[blank].position, expected)).toBeLessThan(1e-4);
    const others = sim.tiles.map((t) => t.id).filter((id) => id !== blank);
    expect(maxErrorAfterCommonShift(r.tiles, sim.truth, others)).toBeLessThan(0.3);
    expect(formatQualityReport(r)).toContain(blank);
  });

  it('handles two disconnected groups: each solved exactly, the second placed from the stage', () => {
    const sim = simulateCampaign({ grid: [3, 4, 6], cutAtX: 3, seed: 11 });
    const r = optimizePositions(sim.tiles, sim.pairs);
    expect(r.summary.groups).toBe(2);
    expect(r.groups.map((g) => [g.tiles, g.first, g.placed_by])).toEqual([[36, 't_0_0_0', 'reference'], [36, 't_0_0_3', 'stage']]);
    const left = sim.tiles.filter((t) => Number(t.id.split('_')[3]) < 3).map((t) => t.id);
    const right = sim.tiles.filter((t) => Number(t.id.split('_')[3]) >= 3).map((t) => t.id);
    for (const id of left) expect(r.tiles[id].group).toBe(0);
    for (const id of right) expect(r.tiles[id].group).toBe(1);
    expect(maxErrorAfterCommonShift(r.tiles, sim.truth, left)).toBeLessThan(0.3);
    expect(maxErrorAfterCommonShift(r.tiles, sim.truth, right)).toBeLessThan(0.3);
    expect(r.tiles.t_0_0_0.position).toEqual(sim.tiles[0].nominal);
    // The cut pairs agree with the stage on average: the weak links' least squares.
    const nominal = new Map(sim.tiles.map((t) => [t.id, t.nominal]));
    const cut = sim.pairs.filter((p) => p.status === 'rejected');
    expect(cut).toHaveLength(12);
    for (let k = 0; k < 3; k++) {
      const mean = cut.reduce((s, p) => s + r.tiles[p.b].position[k] - r.tiles[p.a].position[k] - (nominal.get(p.b)![k] - nominal.get(p.a)![k]), 0) / cut.length;
      expect(Math.abs(mean)).toBeLessThan(1e-3);
    }
    // The literal contract instead: every group's first tile keeps its nominal position.
    const literal = optimizePositions(sim.tiles, sim.pairs, { group_placement: 'first_tile' });
    expect(literal.tiles.t_0_0_3.position).toEqual(nominal.get('t_0_0_3'));
    expect(literal.tiles.t_0_0_0.position).toEqual(nominal.get('t_0_0_0'));
    expect(maxErrorAfterCommonShift(literal.tiles, sim.truth, right)).toBeLessThan(0.3);
  });

  it('converges with groups and loners in a campaign big enough for the multilevel solver', () => {
    const sim = simulateCampaign({ grid: [10, 15, 15], cutAtX: 7, blank: ['t_5_5_3', 't_2_9_11'], wrongFraction: 0.05, seed: 8 });
    const r = optimizePositions(sim.tiles, sim.pairs);
    expect(r.summary.converged).toBe(true);
    expect(r.summary.groups).toBe(4);
    expect(r.summary.loners).toEqual(['t_2_9_11', 't_5_5_3']);
    expect(r.summary.iterations).toBeLessThan(600);
    const left = sim.tiles.map((t) => t.id).filter((id) => Number(id.split('_')[3]) < 7 && id !== 't_5_5_3');
    expect(maxErrorAfterCommonShift(r.tiles, sim.truth, left)).toBeLessThan(0.5);
  });

  it('converges on a long strip of tiles', () => {
    const sim = simulateCampaign({ grid: [1, 2, 1500], noise: 0.2, seed: 2 });
    const r = optimizePositions(sim.tiles, sim.pairs);
    expect(r.summary.converged).toBe(true);
    // Optimality: the weighted residuals balance at every tile (the least-squares gradient is 0).
    const grad = new Map<string, number[]>(sim.tiles.map((t) => [t.id, [0, 0, 0]]));
    for (const l of r.residuals.links) {
      for (let k = 0; k < 3; k++) {
        grad.get(l.b)![k] += l.weight * l.error[k];
        grad.get(l.a)![k] -= l.weight * l.error[k];
      }
    }
    const worst = Math.max(...[...grad.entries()].filter(([id]) => id !== 't_0_0_0').flatMap(([, g]) => g.map(Math.abs)));
    expect(worst).toBeLessThan(1e-4);
  });

  it('does not fail without any accepted pair: every tile at its nominal position', () => {
    const sim = simulateCampaign({ grid: [2, 2, 2], seed: 1 });
    const rejected = sim.pairs.map((p) => ({ ...p, status: 'rejected' as const }));
    for (const pairs of [[], rejected]) {
      const r = optimizePositions(sim.tiles, pairs);
      expect(r.summary.loners).toHaveLength(8);
      for (const t of sim.tiles) expect(dist(r.tiles[t.id].position, t.nominal)).toBeLessThan(1e-6);
      expect(formatQualityReport(r)).toMatch(/8 loners/);
    }
  });

  it('names an unknown tile, rejects a non-finite shift, keeps the better of duplicate records', () => {
    const sim = simulateCampaign({ grid: [1, 2, 2], seed: 1 });
    const bad = [...sim.pairs, { a: 't_0_0_0', b: 't_9_9_9', shift: [0, 0, 0] as Vec3, correlation: 0.9, status: 'ok' as const }];
    try {
      optimizePositions(sim.tiles, bad);
      expect.unreachable();
    } catch (err) {
      expect(isStitchgraphError(err, 'InputError')).toBe(true);
      expect((err as Error).message).toMatch(/t_9_9_9/);
    }
    const nan = [{ ...sim.pairs[0], shift: [0, Number.NaN, 1] as Vec3 }];
    expect(() => optimizePositions(sim.tiles, nan)).toThrow(/shift/);
    // The same pair listed again, reversed, with a better correlation and the exact shift.
    const p = sim.pairs[0];
    const ta = sim.truth.get(p.a)!, tb = sim.truth.get(p.b)!;
    const dup = [{ ...p, shift: [p.shift[0] + 9, p.shift[1], p.shift[2]] as Vec3, correlation: 0.4 }, { a: p.b, b: p.a, shift: [0, 1, 2].map((k) => ta[k] - tb[k]) as Vec3, correlation: 0.99, status: 'ok' as const }];
    const r = optimizePositions(sim.tiles, dup);
    expect(r.summary.links).toBe(1);
    const got = [0, 1, 2].map((k) => r.tiles[p.b].position[k] - r.tiles[p.a].position[k]) as Vec3;
    expect(dist(got, [0, 1, 2].map((k) => tb[k] - ta[k]) as Vec3)).toBeLessThan(1e-6);
  });
});

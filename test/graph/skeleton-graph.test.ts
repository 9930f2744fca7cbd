import { describe, expect, it } from 'vitest';
import { skeletonGraph, type SkeletonGraph } from '../../src/graph/skeleton-graph.js';
import { networkSummary } from '../../src/analysis/network-summary.js';
import type { Vec3 } from '../../src/geometry/box.js';

const SHAPE: Vec3 = [20, 20, 20];

/** A skeleton from voxel coordinates (z, y, x), radius 1 µm everywhere unless given. */
function build(points: Vec3[], opts: { voxelSize?: Vec3; radius?: (p: Vec3) => number; prune?: number; pruneFactor?: number; smoothing?: number; shape?: Vec3 } = {}): SkeletonGraph {
  const shape = opts.shape ?? SHAPE;
  const key = (p: Vec3) => (p[0] * shape[1] + p[1]) * shape[2] + p[2];
  const uniq = [...new Map(points.map((p) => [key(p), p])).values()];
  return skeletonGraph(
    { indices: uniq.map(key), radii: uniq.map((p) => opts.radius?.(p) ?? 1) },
    shape,
    opts.voxelSize ?? [1, 1, 1],
    { pruneLengthUm: opts.prune ?? 0, pruneRadiusFactor: opts.pruneFactor ?? 0, lengthSmoothing: opts.smoothing ?? 0 },
  );
}

function line(from: Vec3, dir: Vec3, n: number): Vec3[] {
  return Array.from({ length: n }, (_, k) => [from[0] + dir[0] * k, from[1] + dir[1] * k, from[2] + dir[2] * k] as Vec3);
}

function counts(g: SkeletonGraph) {
  const s = networkSummary(g, { shape: SHAPE, voxelSize: [1, 1, 1], foregroundVoxels: 0, skeletonRadii: [], labelledComponents: 0, parameters: {} });
  return { branches: s.n_branches, junctions: s.n_junctions, endpoints: s.n_endpoints, isolated: s.n_isolated_points, loops: s.n_isolated_loops, components: s.n_components, cyclomatic: s.cyclomatic_number };
}

describe('skeletonGraph on hand-made skeletons', () => {
  it('a straight line: one branch between two endpoints, length = steps', () => {
    const g = build(line([10, 10, 3], [0, 0, 1], 11));
    expect(counts(g)).toEqual({ branches: 1, junctions: 0, endpoints: 2, isolated: 0, loops: 0, components: 1, cyclomatic: 0 });
    expect(g.branches[0].type).toBe(0);
    expect(g.branches[0].length_um).toBeCloseTo(10, 10);
    expect(g.branches[0].euclidean_um).toBeCloseTo(10, 10);
    expect(g.branches[0].tortuosity).toBeCloseTo(1, 10);
  });

  it('a diagonal line: steps of √3 scaled by an anisotropic voxel size', () => {
    const g = build(line([2, 2, 2], [1, 1, 1], 6), { voxelSize: [2, 1, 0.5] });
    expect(g.branches).toHaveLength(1);
    expect(g.branches[0].length_um).toBeCloseTo(5 * Math.hypot(2, 1, 0.5), 10);
  });

  it('a single voxel: one isolated node, no branch', () => {
    const g = build([[5, 5, 5]]);
    expect(counts(g)).toEqual({ branches: 0, junctions: 0, endpoints: 0, isolated: 1, loops: 0, components: 1, cyclomatic: 0 });
    expect(g.nodes[0].kind).toBe('isolated');
  });

  it('a cross: one junction (the cluster), four endpoints, four branches', () => {
    const pts = [...line([10, 10, 4], [0, 0, 1], 13), ...line([10, 4, 10], [0, 1, 0], 13)];
    const g = build(pts);
    expect(counts(g)).toEqual({ branches: 4, junctions: 1, endpoints: 4, isolated: 0, loops: 0, components: 1, cyclomatic: 0 });
    expect(g.branches.every((b) => b.type === 1)).toBe(true);
    expect(g.nodes.find((n) => n.kind === 'junction')!.degree).toBe(4);
    // Each arm: 6 steps from the centre voxel to the tip.
    for (const b of g.branches) expect(b.length_um).toBeCloseTo(6, 10);
  });

  it('a Y: one junction of degree 3, three branches', () => {
    const pts = [...line([10, 10, 2], [0, 0, 1], 8), ...line([10, 10, 10], [0, 1, 1], 6), ...line([10, 10, 10], [0, -1, 1], 6)];
    const g = build(pts);
    expect(counts(g)).toEqual({ branches: 3, junctions: 1, endpoints: 3, isolated: 0, loops: 0, components: 1, cyclomatic: 0 });
    expect(g.nodes.filter((n) => n.kind === 'junction').map((n) => n.degree)).toEqual([3]);
  });

  it('a loop: one isolated loop (node kind loop, branch type 3), cyclomatic number 1', () => {
    // A square ring with its corners cut (a thinned ring has no corner voxels: they would form
    // triangles of mutually adjacent voxels in 26-connectivity).
    const pts: Vec3[] = [];
    for (let x = 6; x <= 11; x++) pts.push([10, 5, x], [10, 12, x]);
    for (let y = 6; y <= 11; y++) pts.push([10, y, 5], [10, y, 12]);
    const g = build(pts);
    expect(counts(g)).toEqual({ branches: 1, junctions: 0, endpoints: 0, isolated: 0, loops: 1, components: 1, cyclomatic: 1 });
    expect(g.branches[0].type).toBe(3);
    expect(g.branches[0].src).toBe(g.branches[0].dst);
    expect(g.branches[0].length_um).toBeCloseTo(20 + 4 * Math.SQRT2, 10); // four sides of 5 steps, four diagonal corners
    expect(Number.isNaN(g.branches[0].tortuosity)).toBe(true);
  });

  it('a lasso (loop on a stem): one junction, one endpoint, a loop branch and a stem', () => {
    const pts: Vec3[] = [];
    for (let x = 6; x <= 11; x++) pts.push([10, 5, x], [10, 12, x]);
    for (let y = 6; y <= 11; y++) pts.push([10, y, 5], [10, y, 12]);
    pts.push(...line([10, 8, 13], [0, 0, 1], 5));
    const g = build(pts);
    const c = counts(g);
    expect(c.branches).toBe(2);
    expect(c.junctions).toBe(1);
    expect(c.endpoints).toBe(1);
    expect(c.cyclomatic).toBe(1);
    expect(g.branches.map((b) => b.type).sort()).toEqual([1, 3]);
  });

  it('two separate lines are two components', () => {
    const g = build([...line([3, 3, 3], [0, 0, 1], 5), ...line([12, 12, 3], [0, 1, 0], 5)]);
    expect(counts(g)).toMatchObject({ branches: 2, endpoints: 4, components: 2 });
    expect(g.branches.map((b) => b.component).sort()).toEqual([1, 2]);
    for (const b of g.branches) expect(g.nodes[b.src].component).toBe(b.component);
  });

  it('prunes a short spur and joins the two branches left at its junction', () => {
    const pts = [...line([10, 10, 1], [0, 0, 1], 18), ...line([10, 11, 9], [0, 1, 0], 2)];
    expect(counts(build(pts))).toMatchObject({ branches: 3, junctions: 1, endpoints: 3 });
    const g = build(pts, { prune: 3 });
    expect(counts(g)).toEqual({ branches: 1, junctions: 0, endpoints: 2, isolated: 0, loops: 0, components: 1, cyclomatic: 0 });
    // The joined branch runs through the centroid of the junction's 3-voxel cluster, just off the line.
    expect(Math.abs(g.branches[0].length_um - 17)).toBeLessThan(0.1);
    // The same by a multiple of the junction's radius (2 µm × 1.5 = 3 µm > the 2-µm spur).
    expect(counts(build(pts, { pruneFactor: 1.5, radius: () => 2 }))).toMatchObject({ branches: 1 });
    // A longer spur stays.
    expect(counts(build(pts, { prune: 1.5 }))).toMatchObject({ branches: 3 });
  });

  it('flags branches cut by the volume border', () => {
    const g = build(line([10, 10, 0], [0, 0, 1], 8));
    expect(g.branches[0].on_border).toBe(true);
    const inner = build(line([10, 10, 5], [0, 0, 1], 8));
    expect(inner.branches[0].on_border).toBe(false);
  });

  it('tortuosity = path length / chord on a bent branch', () => {
    // An L with a diagonal step at its corner.
    const pts = [...line([10, 2, 2], [0, 0, 1], 6), ...line([10, 3, 8], [0, 1, 0], 6)];
    const g = build(pts);
    expect(g.branches).toHaveLength(1);
    const b = g.branches[0];
    expect(b.length_um).toBeCloseTo(10 + Math.SQRT2, 10);
    expect(b.euclidean_um).toBeCloseTo(Math.hypot(6, 6), 10);
    expect(b.tortuosity).toBeCloseTo((10 + Math.SQRT2) / Math.hypot(6, 6), 10);
  });

  it('smoothing shortens a staircase towards its straight length', () => {
    // A digital line of slope 1/2 in (y, x): 26-steps overestimate its length by ~8 %.
    const pts: Vec3[] = [];
    for (let x = 0; x <= 16; x++) pts.push([10, 2 + Math.round(x / 2), 1 + x]);
    const chord = Math.hypot(8, 16);
    const steps = build(pts).branches[0].length_um;
    const smooth = build(pts, { smoothing: 2 }).branches[0].length_um;
    expect(steps / chord).toBeGreaterThan(1.05);
    expect(Math.abs(smooth / chord - 1)).toBeLessThan(0.02);
  });
});

import type { Vec3 } from '../geometry/box.js';
import { Random } from './random.js';
import { segmentSegmentDistance } from './segment-distance.js';

export interface VesselNode {
  id: number;
  /** Centre, voxels of the phantom frame (z, y, x). */
  pos: Vec3;
}

/** A straight tube (capsule) between two nodes. Branches are chains of segments. */
export interface VesselSegment {
  a: number;
  b: number;
  radius: number;
}

export interface VesselNetwork {
  /** Extent of the phantom (z, y, x). */
  shape: Vec3;
  nodes: VesselNode[];
  segments: VesselSegment[];
}

export interface VesselNetworkOptions {
  shape: Vec3;
  seed: number;
  /** Target centreline length per voxel of volume. @default 1/1000 (1/80 in a one-plane volume) */
  lengthDensity?: number;
  /** @default [1.5, 3.5] */
  radiusRange?: [number, number];
  /** Free space kept between tubes that do not share a node (voxels). @default 2 */
  clearance?: number;
}

/** Uniform grid of segment ids by bounding box, so clearance tests and tile rendering stay local. */
export class SegmentIndex {
  private readonly cells = new Map<number, number[]>();
  constructor(
    private readonly cell: number,
    private readonly dims: Vec3,
  ) {}

  private key(z: number, y: number, x: number): number {
    return (z * (this.dims[1] + 1) + y) * (this.dims[2] + 1) + x;
  }

  private range(lo: Vec3, hi: Vec3): [Vec3, Vec3] {
    const c = this.cell;
    const a: Vec3 = [0, 1, 2].map((i) => Math.max(0, Math.floor(lo[i] / c))) as Vec3;
    const b: Vec3 = [0, 1, 2].map((i) => Math.min(this.dims[i], Math.floor(hi[i] / c))) as Vec3;
    return [a, b];
  }

  add(id: number, lo: Vec3, hi: Vec3): void {
    const [a, b] = this.range(lo, hi);
    for (let z = a[0]; z <= b[0]; z++)
      for (let y = a[1]; y <= b[1]; y++)
        for (let x = a[2]; x <= b[2]; x++) {
          const k = this.key(z, y, x);
          const list = this.cells.get(k);
          if (list) list.push(id);
          else this.cells.set(k, [id]);
        }
  }

  query(lo: Vec3, hi: Vec3): Set<number> {
    const out = new Set<number>();
    const [a, b] = this.range(lo, hi);
    for (let z = a[0]; z <= b[0]; z++)
      for (let y = a[1]; y <= b[1]; y++)
        for (let x = a[2]; x <= b[2]; x++) {
          const list = this.cells.get(this.key(z, y, x));
          if (list) for (const id of list) out.add(id);
        }
    return out;
  }
}

export function segmentBounds(net: VesselNetwork, s: VesselSegment, pad: number): [Vec3, Vec3] {
  const p = net.nodes[s.a].pos;
  const q = net.nodes[s.b].pos;
  const r = s.radius + pad;
  return [
    [Math.min(p[0], q[0]) - r, Math.min(p[1], q[1]) - r, Math.min(p[2], q[2]) - r],
    [Math.max(p[0], q[0]) + r, Math.max(p[1], q[1]) + r, Math.max(p[2], q[2]) + r],
  ];
}

export function indexSegments(net: VesselNetwork, cell = 32, pad = 1): SegmentIndex {
  const dims: Vec3 = [0, 1, 2].map((i) => Math.ceil(net.shape[i] / cell) + 1) as Vec3;
  const idx = new SegmentIndex(cell, dims);
  net.segments.forEach((s, i) => {
    const [lo, hi] = segmentBounds(net, s, pad);
    idx.add(i, lo, hi);
  });
  return idx;
}

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** A random direction at `angle` radians from `dir` (in-plane when flat). */
function turn(rng: Random, dir: Vec3, angle: number, flat: boolean): Vec3 {
  // Pick any unit vector orthogonal to dir, then rotate dir towards it by `angle`.
  let r: Vec3 = flat ? [0, rng.normal(), rng.normal()] : [rng.normal(), rng.normal(), rng.normal()];
  const d = r[0] * dir[0] + r[1] * dir[1] + r[2] * dir[2];
  r = normalize([r[0] - d * dir[0], r[1] - d * dir[1], r[2] - d * dir[2]]);
  if (flat) {
    // In 2-D the orthogonal direction is fixed up to sign.
    r = normalize([0, -dir[2], dir[1]]);
    if (rng.next() < 0.5) r = [0, -r[1], -r[2]];
  }
  const c = Math.cos(angle), s = Math.sin(angle);
  return normalize([c * dir[0] + s * r[0], c * dir[1] + s * r[1], c * dir[2] + s * r[2]]);
}

/**
 * A vessel-like phantom: trees of tubes that branch, with radii shrinking down the tree, grown by
 * rejection sampling so that tubes touch only where they branch (clearance test against every
 * nearby segment). All tubes stay inside the volume with a margin, so components are not cut.
 * A volume with one plane (z extent 1) gives a flat, 2-D network in the plane z = 0.
 */
export function generateVesselNetwork(opts: VesselNetworkOptions): VesselNetwork {
  const { shape, seed } = opts;
  const flat = shape[0] === 1;
  // A plane needs far more length per voxel than a volume to look equally busy.
  const lengthDensity = opts.lengthDensity ?? (flat ? 1 / 80 : 1 / 1000);
  const [rMin, rMax] = opts.radiusRange ?? [1.5, 3.5];
  const clearance = opts.clearance ?? 2;
  const rng = new Random(seed);
  const net: VesselNetwork = { shape, nodes: [], segments: [] };
  const volume = shape[0] * shape[1] * shape[2];
  const target = lengthDensity * volume;
  const cell = 24;
  const dims: Vec3 = [0, 1, 2].map((i) => Math.ceil(shape[i] / cell) + 1) as Vec3;
  const index = new SegmentIndex(cell, dims);
  let total = 0;

  const inside = (p: Vec3, r: number) => {
    const m = r + 3;
    for (let i = 0; i < 3; i++) {
      if (flat && i === 0) continue;
      if (p[i] < m || p[i] > shape[i] - 1 - m) return false;
    }
    return true;
  };

  const fits = (p: Vec3, q: Vec3, r: number, startNode: number): boolean => {
    if (!inside(q, r)) return false;
    const pad = r + rMax + clearance;
    const lo: Vec3 = [Math.min(p[0], q[0]) - pad, Math.min(p[1], q[1]) - pad, Math.min(p[2], q[2]) - pad];
    const hi: Vec3 = [Math.max(p[0], q[0]) + pad, Math.max(p[1], q[1]) + pad, Math.max(p[2], q[2]) + pad];
    for (const id of index.query(lo, hi)) {
      const s = net.segments[id];
      const a = net.nodes[s.a].pos, b = net.nodes[s.b].pos;
      const d = segmentSegmentDistance(p, q, a, b);
      if (s.a === startNode || s.b === startNode) {
        // Segments meeting at the start node: they must not fold back onto each other.
        const far = segmentSegmentDistance(q, q, a, b);
        if (far < r + s.radius + clearance) return false;
        continue;
      }
      if (d < r + s.radius + clearance) return false;
    }
    return true;
  };

  const addNode = (pos: Vec3): number => {
    net.nodes.push({ id: net.nodes.length, pos });
    return net.nodes.length - 1;
  };
  const addSegment = (a: number, b: number, radius: number) => {
    const id = net.segments.length;
    net.segments.push({ a, b, radius });
    const p = net.nodes[a].pos, q = net.nodes[b].pos;
    index.add(id, [Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.min(p[2], q[2])], [Math.max(p[0], q[0]), Math.max(p[1], q[1]), Math.max(p[2], q[2])]);
    total += Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
  };

  interface Tip { node: number; dir: Vec3; radius: number; generation: number }
  let rootAttempts = 0;
  while (total < target && rootAttempts < 2000) {
    rootAttempts++;
    const r0 = rng.uniform((rMin + rMax) / 2, rMax);
    const m = r0 + 4;
    const start: Vec3 = [flat ? 0 : rng.uniform(m, shape[0] - 1 - m), rng.uniform(m, shape[1] - 1 - m), rng.uniform(m, shape[2] - 1 - m)];
    if (!fits(start, start, r0, -1)) continue;
    const dir0 = normalize(flat ? [0, rng.normal(), rng.normal()] : [rng.normal(), rng.normal(), rng.normal()]);
    const root = addNode(start);
    const tips: Tip[] = [{ node: root, dir: dir0, radius: r0, generation: 0 }];
    while (tips.length > 0 && total < target) {
      const tip = tips.shift()!;
      // One branch: a few slightly bending segments.
      let node = tip.node;
      let dir = tip.dir;
      const nSeg = rng.int(2, 4);
      let grown = 0;
      for (let k = 0; k < nSeg; k++) {
        let placed = false;
        for (let attempt = 0; attempt < 6 && !placed; attempt++) {
          const d = k === 0 && attempt === 0 ? dir : turn(rng, dir, rng.uniform(0, 0.35), flat);
          const len = rng.uniform(10, 16);
          const p = net.nodes[node].pos;
          const q: Vec3 = [p[0] + d[0] * len, p[1] + d[1] * len, p[2] + d[2] * len];
          if (flat) q[0] = 0;
          if (fits(p, q, tip.radius, node)) {
            const n = addNode(q);
            addSegment(node, n, tip.radius);
            node = n;
            dir = d;
            placed = true;
            grown++;
          }
        }
        if (!placed) break;
      }
      if (grown === 0) continue;
      const branchP = tip.generation < 5 ? 0.75 : 0.2;
      if (rng.next() < branchP) {
        const childR = () => Math.max(rMin, tip.radius * rng.uniform(0.75, 0.95));
        const a1 = rng.uniform(0.5, 0.9);
        const c1 = turn(rng, dir, a1, flat);
        // The second child leaves on the other side of the parent's direction.
        const c2 = normalize([2 * dir[0] - c1[0], 2 * dir[1] - c1[1], 2 * dir[2] - c1[2]]);
        tips.push({ node, dir: c1, radius: childR(), generation: tip.generation + 1 });
        tips.push({ node, dir: flat ? normalize([0, c2[1], c2[2]]) : c2, radius: childR(), generation: tip.generation + 1 });
      }
    }
    // A root that grew nothing is an isolated node: drop it (it has no tube).
    if (net.nodes.length - 1 === root && !net.segments.some((s) => s.a === root || s.b === root)) net.nodes.pop();
  }
  return compactNetwork(net);
}

/** Drop nodes no segment uses and renumber. */
function compactNetwork(net: VesselNetwork): VesselNetwork {
  const used = new Set<number>();
  for (const s of net.segments) {
    used.add(s.a);
    used.add(s.b);
  }
  const remap = new Map<number, number>();
  const nodes: VesselNode[] = [];
  for (const n of net.nodes) {
    if (!used.has(n.id)) continue;
    remap.set(n.id, nodes.length);
    nodes.push({ id: nodes.length, pos: n.pos });
  }
  return { shape: net.shape, nodes, segments: net.segments.map((s) => ({ a: remap.get(s.a)!, b: remap.get(s.b)!, radius: s.radius })) };
}

export interface NetworkTruth {
  n_nodes: number;
  n_segments: number;
  n_junctions: number;
  n_endpoints: number;
  n_branches: number;
  n_components: number;
  total_length_voxels: number;
  total_length_um: number;
  /** Length-weighted mean radius. */
  mean_radius_voxels: number;
  mean_radius_um: number;
  cyclomatic_number: number;
}

/** Counts and totals of a network, in voxels and (with voxel_size) µm. */
export function networkTruth(net: VesselNetwork, voxelSize: Vec3 = [1, 1, 1]): NetworkTruth {
  const degree = new Array<number>(net.nodes.length).fill(0);
  const parent = net.nodes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  let len = 0, lenUm = 0, rLen = 0;
  for (const s of net.segments) {
    degree[s.a]++;
    degree[s.b]++;
    parent[find(s.a)] = find(s.b);
    const p = net.nodes[s.a].pos, q = net.nodes[s.b].pos;
    const l = Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]);
    len += l;
    lenUm += Math.hypot((q[0] - p[0]) * voxelSize[0], (q[1] - p[1]) * voxelSize[1], (q[2] - p[2]) * voxelSize[2]);
    rLen += s.radius * l;
  }
  const roots = new Set(net.nodes.map((n) => find(n.id)));
  const junctions = degree.filter((d) => d >= 3).length;
  const endpoints = degree.filter((d) => d === 1).length;
  // Branches are chains between nodes of degree != 2: sum of (degree) over those nodes / 2.
  const branchEnds = degree.reduce((acc, d) => acc + (d !== 2 ? d : 0), 0);
  const meanR = len > 0 ? rLen / len : 0;
  return {
    n_nodes: net.nodes.length,
    n_segments: net.segments.length,
    n_junctions: junctions,
    n_endpoints: endpoints,
    n_branches: branchEnds / 2,
    n_components: roots.size,
    total_length_voxels: len,
    total_length_um: lenUm,
    mean_radius_voxels: meanR,
    mean_radius_um: meanR * Math.cbrt(voxelSize[0] * voxelSize[1] * voxelSize[2]),
    cyclomatic_number: net.segments.length - net.nodes.length + roots.size,
  };
}

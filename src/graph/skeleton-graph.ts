/**
 * The skeleton graph: from the voxels of a curve skeleton (26-connected) to nodes and branches.
 *
 * - Voxels with three or more skeleton neighbours are junction voxels; each 26-connected cluster of
 *   them is one junction node (at the cluster's centroid). Slab voxels whose neighbours all lie in
 *   one cluster (the corners of small triangles at junctions) join that cluster.
 * - Voxels with one neighbour are endpoints, with none isolated points; both are nodes.
 * - Branches are the chains of two-neighbour (slab) voxels between nodes. Length sums the
 *   26-neighbour steps (1, √2, √3 in voxel units) scaled by the anisotropic voxel size, plus, at a
 *   junction end, the step from the cluster's centroid to the chain's first voxel, so lengths add
 *   up to the centreline through the junction (`steps_length_um`). Steps overestimate oblique
 *   lines (staircase), so `length_um` measures the same polyline after a short moving average
 *   (`lengthSmoothing`, 2 voxels each side; 0 makes `length_um` the step length).
 * - A cycle of slab voxels with no node is an isolated loop: it gets a node of kind `loop` and a
 *   branch of type 3 from that node to itself.
 * - Tortuosity = path length / euclidean distance between the branch's two nodes (the "arc-chord
 *   ratio"; some tools use the inverse, or chord / length): ≥ 1; undefined (NaN) for loops.
 * - Terminal branches (junction–endpoint) shorter than `pruneLengthUm`, or than `pruneRadiusFactor`
 *   × the radius at their junction, are removed, shortest first, never taking a junction below two
 *   branches. Nodes left with exactly two branches are dissolved, their branches joined.
 * - A branch is `on_border` when one of its voxels lies on the volume's edge or its endpoint lies
 *   within its radius (+ one voxel) of the edge: thinning pulls ends cut by the edge back inward.
 *
 * Tables, not a graphology graph, are the result: a large network exceeds what one graphology
 * graph can hold; `skeletonGraphology` builds one from the tables when it fits.
 */
import type { Vec3 } from '../geometry/box.js';
import { SkeletonVoxelHash } from './skeleton-voxel-hash.js';

export interface SkeletonVoxels {
  /** Linear indices (C-order over `shape`) of the skeleton voxels; any order, no duplicates. */
  indices: ArrayLike<number>;
  /** Radius (µm) at each voxel, same order. */
  radii: ArrayLike<number>;
  /**
   * Label of the segmented component holding each voxel (components.csv `label`), same order: when
   * given, it is every node's and branch's `component`, so the network joins the components table.
   */
  component?: ArrayLike<number>;
}

export type NodeKind = 'junction' | 'endpoint' | 'isolated' | 'loop';

export interface SkeletonNode {
  id: number;
  /** Position in voxels of the global frame (a junction's cluster centroid). */
  z: number;
  y: number;
  x: number;
  degree: number;
  kind: NodeKind;
  /** Largest radius (µm) over the node's voxels. */
  radius_um: number;
  /** Voxels merged into the node (1 except junction clusters). */
  voxels: number;
  /** The segmented component's label (components.csv) when the voxels carry one, else the graph's connected component (1..n, in node order). */
  component: number;
}

/** 0 endpoint–endpoint, 1 junction–endpoint, 2 junction–junction, 3 loop (same node at both ends). */
export type BranchType = 0 | 1 | 2 | 3;

export interface SkeletonBranch {
  id: number;
  src: number;
  dst: number;
  type: BranchType;
  /** Centreline length (µm): the smoothed polyline, or the 26-neighbour steps when smoothing is 0. */
  length_um: number;
  /** Sum of the 26-neighbour steps (1, √2, √3 voxels scaled by the voxel size), through the nodes. */
  steps_length_um: number;
  euclidean_um: number;
  tortuosity: number;
  mean_radius_um: number;
  min_radius_um: number;
  max_radius_um: number;
  on_border: boolean;
  /** Skeleton voxels along the branch (ends included). */
  voxels: number;
  /** Connected component of the graph, as its nodes'. */
  component: number;
}

export interface SkeletonGraphOptions {
  /** Terminal branches shorter than this (µm) are pruned. @default 0 */
  pruneLengthUm?: number;
  /** Terminal branches shorter than this multiple of their junction's radius are pruned. @default 0 */
  pruneRadiusFactor?: number;
  /** Half-width (voxels) of the moving average applied to a branch's voxels before measuring its length; 0: plain 26-neighbour steps. @default 2 */
  lengthSmoothing?: number;
}

export interface SkeletonGraph {
  nodes: SkeletonNode[];
  branches: SkeletonBranch[];
}

/** Build the skeleton graph of a set of skeleton voxels in a volume of `shape` (z, y, x). */
export function skeletonGraph(sk: SkeletonVoxels, shape: Vec3, voxelSize: Vec3, opts: SkeletonGraphOptions = {}): SkeletonGraph {
  const { pruneLengthUm = 0, pruneRadiusFactor = 0, lengthSmoothing: smoothing = 2 } = opts;
  const [d, h, w] = shape;
  const [vz, vy, vx] = voxelSize;
  const n = sk.indices.length;
  const zc = new Int32Array(n), yc = new Int32Array(n), xc = new Int32Array(n);
  const where = new SkeletonVoxelHash(sk.indices);
  for (let i = 0; i < n; i++) {
    const idx = sk.indices[i];
    const x = idx % w, r = (idx - x) / w, y = r % h;
    zc[i] = (r - y) / h;
    yc[i] = y;
    xc[i] = x;
  }
  // Adjacency (CSR) over the 26-neighbourhood: one pass counts, the second fills.
  const start = new Int32Array(n + 1);
  let adj = new Int32Array(0);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      const z = zc[i], y = yc[i], x = xc[i];
      let k = pass === 0 ? 0 : start[i];
      for (let dz = -1; dz <= 1; dz++) {
        const zz = z + dz;
        if (zz < 0 || zz >= d) continue;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= w || (dz === 0 && dy === 0 && dx === 0)) continue;
            const j = where.get((zz * h + yy) * w + xx);
            if (j < 0) continue;
            if (pass === 1) adj[k] = j;
            k++;
          }
        }
      }
      if (pass === 0) start[i + 1] = start[i] + k;
    }
    if (pass === 0) adj = new Int32Array(start[n]);
  }
  const deg = (i: number) => start[i + 1] - start[i];
  const step = (a: number, b: number) => Math.hypot((zc[a] - zc[b]) * vz, (yc[a] - yc[b]) * vy, (xc[a] - xc[b]) * vx);

  // Junction clusters.
  const cluster = new Int32Array(n).fill(-1);
  let nClusters = 0;
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    if (deg(i) < 3 || cluster[i] >= 0) continue;
    const c = nClusters++;
    cluster[i] = c;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      for (let t = start[p]; t < start[p + 1]; t++) {
        const q = adj[t];
        if (deg(q) >= 3 && cluster[q] < 0) {
          cluster[q] = c;
          stack.push(q);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (deg(i) !== 2) continue;
    const a = cluster[adj[start[i]]], b = cluster[adj[start[i] + 1]];
    if (a >= 0 && a === b) cluster[i] = a;
  }

  // Nodes: junction clusters, then endpoints and isolated points.
  const nodes: SkeletonNode[] = [];
  const nodeOf = new Int32Array(n).fill(-1);
  const cz = new Float64Array(nClusters), cy = new Float64Array(nClusters), cx = new Float64Array(nClusters), cn = new Int32Array(nClusters), cr = new Float64Array(nClusters);
  for (let i = 0; i < n; i++) {
    const c = cluster[i];
    if (c < 0) continue;
    cz[c] += zc[i];
    cy[c] += yc[i];
    cx[c] += xc[i];
    cn[c]++;
    cr[c] = Math.max(cr[c], sk.radii[i]);
    nodeOf[i] = c;
  }
  const label = (i: number) => (sk.component ? sk.component[i] : 0);
  const clusterLabel = new Float64Array(nClusters);
  for (let i = 0; i < n; i++) if (cluster[i] >= 0) clusterLabel[cluster[i]] = label(i);
  for (let c = 0; c < nClusters; c++) nodes.push({ id: c, z: cz[c] / cn[c], y: cy[c] / cn[c], x: cx[c] / cn[c], degree: 0, kind: 'junction', radius_um: cr[c], voxels: cn[c], component: clusterLabel[c] });
  for (let i = 0; i < n; i++) {
    if (nodeOf[i] >= 0 || deg(i) >= 2) continue;
    nodeOf[i] = nodes.length;
    nodes.push({ id: nodes.length, z: zc[i], y: yc[i], x: xc[i], degree: 0, kind: deg(i) === 0 ? 'isolated' : 'endpoint', radius_um: sk.radii[i], voxels: 1, component: label(i) });
  }
  const nodeDist = (node: number, v: number) => {
    const nd = nodes[node];
    return Math.hypot((nd.z - zc[v]) * vz, (nd.y - yc[v]) * vy, (nd.x - xc[v]) * vx);
  };
  const onEdge = (v: number) => zc[v] === 0 || zc[v] === d - 1 || yc[v] === 0 || yc[v] === h - 1 || xc[v] === 0 || xc[v] === w - 1;

  interface Raw { src: number; dst: number; length: number; steps: number; rSum: number; rMin: number; rMax: number; voxels: number; border: boolean }
  const raw: Raw[] = [];
  const visited = new Uint8Array(n);
  // Thinning keeps each end's protrusion up to the tip of the rounded end, past the centre of its
  // last maximal ball. End voxels whose ball lies inside the ball of a voxel further in are not on
  // the medial axis: they are trimmed (length and radii), the endpoint node moves to the first voxel kept.
  const tol = 0.5 * Math.min(vz, vy, vx);
  const trimEnd = (path: number[]): number => {
    let cut = 0;
    const reach = Math.min(path.length - 1, 64);
    for (let k = 0; k < reach; k++) {
      const p = path[k], rp = sk.radii[p];
      let inside = false;
      for (let j = k + 1; j <= reach && !inside; j++) {
        const q = path[j];
        if (step(p, q) + rp <= sk.radii[q] + tol) inside = true;
      }
      if (!inside) break;
      cut = k + 1;
    }
    return Math.min(cut, path.length - 2);
  };
  // Polyline through the node, the path's voxels and the other node (µm), smoothed by a moving
  // average whose window shrinks at the ends (ends stay put): removes most of the staircase excess
  // of 26-neighbour steps (up to 8 % on oblique lines, Kulpa 1977) without cutting corners of real bends.
  const pz: number[] = [], py: number[] = [], px: number[] = [];
  const smoothedLength = (path: number[], src: number, dst: number): number => {
    pz.length = py.length = px.length = 0;
    const push = (z: number, y: number, x: number) => {
      pz.push(z * vz);
      py.push(y * vy);
      px.push(x * vx);
    };
    push(nodes[src].z, nodes[src].y, nodes[src].x);
    for (const v of path) push(zc[v], yc[v], xc[v]);
    push(nodes[dst].z, nodes[dst].y, nodes[dst].x);
    const m = pz.length;
    let len = 0, qz = pz[0], qy = py[0], qx = px[0];
    for (let k = 1; k < m; k++) {
      const hw = Math.min(smoothing, k, m - 1 - k);
      let sz = 0, sy = 0, sx = 0;
      for (let t = k - hw; t <= k + hw; t++) {
        sz += pz[t];
        sy += py[t];
        sx += px[t];
      }
      const c = 2 * hw + 1;
      sz /= c;
      sy /= c;
      sx /= c;
      len += Math.hypot(sz - qz, sy - qy, sx - qx);
      qz = sz;
      qy = sy;
      qx = sx;
    }
    return len;
  };
  const addPath = (full: number[], src: number, dst: number) => {
    let path = full;
    const moveTo = (node: number, v: number) => {
      nodes[node].z = zc[v];
      nodes[node].y = yc[v];
      nodes[node].x = xc[v];
      nodes[node].radius_um = sk.radii[v];
    };
    if (nodes[src].kind === 'endpoint' && full.length > 2) {
      const c = trimEnd(full);
      if (c > 0) {
        path = full.slice(c);
        moveTo(src, path[0]);
      }
    }
    if (nodes[dst].kind === 'endpoint' && path.length > 2) {
      const rev = path.slice().reverse();
      const c = trimEnd(rev);
      if (c > 0) {
        path = rev.slice(c).reverse();
        moveTo(dst, path[path.length - 1]);
      }
    }
    let steps = nodeDist(src, path[0]) + nodeDist(dst, path[path.length - 1]);
    let rSum = 0, rMin = Infinity, rMax = -Infinity, border = false;
    for (let k = 0; k < path.length; k++) {
      if (k > 0) steps += step(path[k - 1], path[k]);
      const r = sk.radii[path[k]];
      rSum += r;
      if (r < rMin) rMin = r;
      if (r > rMax) rMax = r;
      if (onEdge(path[k])) border = true;
    }
    raw.push({ src, dst, length: smoothing === 0 ? steps : smoothedLength(path, src, dst), steps, rSum, rMin, rMax, voxels: path.length, border });
  };
  const path: number[] = [];
  for (let u = 0; u < n; u++) {
    const nu = nodeOf[u];
    if (nu < 0) continue;
    for (let t = start[u]; t < start[u + 1]; t++) {
      const v = adj[t];
      const nv = nodeOf[v];
      if (nv >= 0) {
        if (nv !== nu && u < v) addPath([u, v], nu, nv);
        continue;
      }
      if (visited[v]) continue;
      path.length = 0;
      path.push(u);
      let prev = u, cur = v;
      for (;;) {
        visited[cur] = 1;
        path.push(cur);
        const a = adj[start[cur]], b = adj[start[cur] + 1];
        const next = a === prev ? b : a;
        if (nodeOf[next] >= 0) {
          path.push(next);
          break;
        }
        if (visited[next]) break; // cannot happen on a thinned skeleton; guards against cycles
        prev = cur;
        cur = next;
      }
      addPath(path, nu, nodeOf[path[path.length - 1]] >= 0 ? nodeOf[path[path.length - 1]] : nu);
    }
  }
  // Isolated loops: slab cycles no walk reached.
  for (let s = 0; s < n; s++) {
    if (nodeOf[s] >= 0 || visited[s]) continue;
    const id = nodes.length;
    nodes.push({ id, z: zc[s], y: yc[s], x: xc[s], degree: 0, kind: 'loop', radius_um: sk.radii[s], voxels: 1, component: label(s) });
    path.length = 0;
    let prev = adj[start[s]], cur = s;
    for (;;) {
      visited[cur] = 1;
      path.push(cur);
      const a = adj[start[cur]], b = adj[start[cur] + 1];
      const next = a === prev ? b : a;
      if (next === s || visited[next]) break;
      prev = cur;
      cur = next;
    }
    path.push(s);
    addPath(path, id, id);
  }

  return finishGraph(nodes, raw, shape, voxelSize, pruneLengthUm, pruneRadiusFactor, sk.component !== undefined);
}

function finishGraph(
  nodes: SkeletonNode[],
  raw: { src: number; dst: number; length: number; steps: number; rSum: number; rMin: number; rMax: number; voxels: number; border: boolean }[],
  shape: Vec3,
  voxelSize: Vec3,
  pruneLengthUm: number,
  pruneRadiusFactor: number,
  labelled: boolean,
): SkeletonGraph {
  const alive = raw.map(() => true);
  const nodeAlive = nodes.map(() => true);
  const incident: number[][] = nodes.map(() => []);
  raw.forEach((e, i) => {
    incident[e.src].push(i);
    incident[e.dst].push(i);
  });
  const degree = (v: number) => incident[v].filter((e) => alive[e]).length;
  const baseKind = (v: number) => nodes[v].kind;

  // Pruning of terminal branches, shortest first, keeping every junction at two branches or more.
  if (pruneLengthUm > 0 || pruneRadiusFactor > 0) {
    const spurs = raw
      .map((e, i) => i)
      .filter((i) => {
        const e = raw[i];
        const ks = baseKind(e.src), kd = baseKind(e.dst);
        if (!((ks === 'junction' && kd === 'endpoint') || (ks === 'endpoint' && kd === 'junction'))) return false;
        const j = ks === 'junction' ? e.src : e.dst;
        return e.length < Math.max(pruneLengthUm, pruneRadiusFactor * nodes[j].radius_um);
      })
      .sort((a, b) => raw[a].length - raw[b].length);
    for (const i of spurs) {
      const e = raw[i];
      const j = baseKind(e.src) === 'junction' ? e.src : e.dst;
      const tip = j === e.src ? e.dst : e.src;
      if (degree(j) <= 2) continue;
      alive[i] = false;
      nodeAlive[tip] = false;
    }
  }
  // Dissolve nodes with exactly two branch ends from two different branches.
  for (let v = 0; v < nodes.length; v++) {
    if (!nodeAlive[v]) continue;
    const inc = incident[v].filter((e) => alive[e]);
    if (inc.length !== 2 || inc[0] === inc[1]) continue;
    const [a, b] = inc.map((i) => raw[i]);
    const other = (e: typeof a) => (e.src === v ? e.dst : e.src);
    const merged = {
      src: other(a),
      dst: other(b),
      length: a.length + b.length,
      steps: a.steps + b.steps,
      rSum: a.rSum + b.rSum - nodes[v].radius_um,
      rMin: Math.min(a.rMin, b.rMin),
      rMax: Math.max(a.rMax, b.rMax),
      voxels: a.voxels + b.voxels - 1,
      border: a.border || b.border,
    };
    alive[inc[0]] = false;
    alive[inc[1]] = false;
    nodeAlive[v] = false;
    const id = raw.length;
    raw.push(merged);
    alive.push(true);
    incident[merged.src].push(id);
    if (merged.dst !== merged.src) incident[merged.dst].push(id);
    else incident[merged.src].push(id);
  }

  // Renumber and type.
  const newId = new Int32Array(nodes.length).fill(-1);
  const outNodes: SkeletonNode[] = [];
  for (let v = 0; v < nodes.length; v++) {
    if (!nodeAlive[v]) continue;
    newId[v] = outNodes.length;
    const deg = degree(v);
    const kind: NodeKind = deg === 0 ? 'isolated' : deg === 1 ? 'endpoint' : deg >= 3 ? 'junction' : 'loop';
    outNodes.push({ ...nodes[v], id: outNodes.length, degree: deg, kind });
  }
  const [d, h, w] = shape;
  const nearEdge = (nd: SkeletonNode) => {
    const m = (c: number, size: number, s: number) => Math.min(c, size - 1 - c) * s <= nd.radius_um + s;
    return (d > 1 && m(nd.z, d, voxelSize[0])) || m(nd.y, h, voxelSize[1]) || m(nd.x, w, voxelSize[2]);
  };
  if (!labelled) numberGraphComponents(outNodes, raw, alive, newId);
  const branches: SkeletonBranch[] = [];
  raw.forEach((e, i) => {
    if (!alive[i]) return;
    const s = outNodes[newId[e.src]], t = outNodes[newId[e.dst]];
    const euclid = Math.hypot((s.z - t.z) * voxelSize[0], (s.y - t.y) * voxelSize[1], (s.x - t.x) * voxelSize[2]);
    const type: BranchType = e.src === e.dst ? 3 : s.kind === 'junction' && t.kind === 'junction' ? 2 : s.kind === 'junction' || t.kind === 'junction' ? 1 : 0;
    const border = e.border || (s.kind === 'endpoint' && nearEdge(s)) || (t.kind === 'endpoint' && nearEdge(t));
    branches.push({
      id: branches.length,
      src: s.id,
      dst: t.id,
      type,
      length_um: e.length,
      steps_length_um: e.steps,
      euclidean_um: euclid,
      tortuosity: type === 3 || euclid === 0 ? NaN : e.length / euclid,
      mean_radius_um: e.rSum / e.voxels,
      min_radius_um: e.rMin,
      max_radius_um: e.rMax,
      on_border: border,
      voxels: e.voxels,
      component: s.component,
    });
  });
  return { nodes: outNodes, branches };
}

/** Without labels, a node's component is its connected piece of the graph, 1..n in node order. */
function numberGraphComponents(outNodes: SkeletonNode[], raw: { src: number; dst: number }[], alive: boolean[], newId: Int32Array): void {
  const root = outNodes.map((_, i) => i);
  const findRoot = (a: number): number => {
    while (root[a] !== a) a = root[a] = root[root[a]];
    return a;
  };
  raw.forEach((e, i) => {
    if (alive[i]) root[findRoot(newId[e.src])] = findRoot(newId[e.dst]);
  });
  const compOf = new Map<number, number>();
  for (const nd of outNodes) {
    const r = findRoot(nd.id);
    if (!compOf.has(r)) compOf.set(r, compOf.size + 1);
    nd.component = compOf.get(r)!;
  }
}

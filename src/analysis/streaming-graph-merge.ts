/**
 * The skeleton graph of a block-wise analysis, built as the blocks' skeleton tables are read back
 * in raster order of the block grid, holding only the skeletons of the components not yet whole.
 *
 * The whole-volume graph is the union of the graphs of its skeleton's connected pieces, and (with
 * 26-connected labels) no skeleton voxel of one component touches another's: the graph of each
 * component, or of each group of components whose skeletons touch (6-connected labels), is the
 * whole-volume graph restricted to it. The components table says when a component is whole: once
 * the block holding the far corner of its bounding box (grown by one voxel when skeletons of other
 * components may touch it) has been read. Its graph is then built, handed on as a piece with
 * global node and branch ids, and its voxels dropped.
 *
 * Retained state is the skeleton voxels of the components open at the frontier of the blocks read:
 * for components smaller than a few blocks, about one layer of blocks. A component that spans the
 * volume (one connected vessel tree) is held whole until its last block: that case still grows
 * with the network (see docs/analysis-at-scale.md).
 */
import type { Vec3 } from '../geometry/box.js';
import { skeletonGraph, type SkeletonBranch, type SkeletonGraphOptions, type SkeletonNode } from '../graph/skeleton-graph.js';
import { findRoot, unionRoots } from './_union-find.js';

/** Skeleton voxels of one block: global linear index, radius (µm), final component label (≥ 1). */
export interface LabelledSkeleton {
  index: ArrayLike<number>;
  radius: ArrayLike<number>;
  component: ArrayLike<number>;
}

/** The graph of one group of whole components, ids already global. */
export interface GraphPiece {
  nodes: SkeletonNode[];
  branches: SkeletonBranch[];
  skeleton: { indices: Float64Array; radii: Float32Array; component: Int32Array };
}

interface OpenComponent {
  index: number[];
  radius: number[];
}

export class StreamingGraphMerge {
  private readonly grid: Vec3;
  /** Per block (raster index), the components whole once it is read (CSR over `completeAt`). */
  private readonly dueStart: Int32Array;
  private readonly due: Int32Array;
  private readonly open = new Map<number, OpenComponent>();
  /** Voxel → component of the held voxels (only when skeletons of two components may touch). */
  private readonly where?: Map<number, number>;
  private readonly group: Int32Array;
  /** Members of the groups of more than one component, by root. */
  private readonly members = new Map<number, number[]>();
  private readonly whole: Uint8Array;
  private next = 0;
  private nodes = 0;
  private branches = 0;
  private retained = 0;
  /** Most skeleton voxels held at once. */
  peakRetainedSkeletonVoxels = 0;
  /** Skeleton voxels received. */
  totalSkeletonVoxels = 0;

  /**
   * `bboxMax` gives, per kept component 1..n (index 0 unused), the last voxel (z, y, x, inclusive)
   * of its bounding box; `touching` says whether skeletons of different components can be
   * 26-adjacent (labels of 6-connectivity).
   */
  constructor(
    private readonly volumeShape: Vec3,
    private readonly block: Vec3,
    private readonly voxelSize: Vec3,
    private readonly graphOptions: SkeletonGraphOptions,
    bboxMax: (component: number) => Vec3,
    components: number,
    touching: boolean,
    private readonly emit: (piece: GraphPiece) => void,
  ) {
    this.grid = [0, 1, 2].map((a) => Math.ceil(volumeShape[a] / block[a])) as Vec3;
    const blocks = this.grid[0] * this.grid[1] * this.grid[2];
    const completeAt = new Int32Array(components + 1);
    this.dueStart = new Int32Array(blocks + 1);
    for (let c = 1; c <= components; c++) {
      const m = bboxMax(c).map((v, a) => Math.min(v + (touching ? 1 : 0), volumeShape[a] - 1)) as Vec3;
      completeAt[c] = this.blockOf(m[0], m[1], m[2]);
      this.dueStart[completeAt[c] + 1]++;
    }
    for (let b = 0; b < blocks; b++) this.dueStart[b + 1] += this.dueStart[b];
    this.due = new Int32Array(components);
    const fill = this.dueStart.slice(0, blocks);
    for (let c = 1; c <= components; c++) this.due[fill[completeAt[c]]++] = c;
    this.group = new Int32Array(components + 1);
    for (let c = 0; c <= components; c++) this.group[c] = c;
    this.whole = new Uint8Array(components + 1);
    if (touching) this.where = new Map();
  }

  /** Skeleton voxels held now. */
  get retainedSkeletonVoxels(): number {
    return this.retained;
  }

  /** Nodes and branches handed on so far. */
  get counts(): { nodes: number; branches: number } {
    return { nodes: this.nodes, branches: this.branches };
  }

  /** Add the skeleton of block `index`; blocks come in raster order, each once. */
  add(index: number, s: LabelledSkeleton): void {
    if (index !== this.next) throw new Error(`StreamingGraphMerge: block ${index} added, block ${this.next} expected (raster order)`);
    for (let i = 0; i < s.index.length; i++) {
      const c = s.component[i];
      let o = this.open.get(c);
      if (!o) this.open.set(c, (o = { index: [], radius: [] }));
      o.index.push(s.index[i]);
      o.radius.push(s.radius[i]);
      this.where?.set(s.index[i], c);
    }
    this.retained += s.index.length;
    this.totalSkeletonVoxels += s.index.length;
    this.peakRetainedSkeletonVoxels = Math.max(this.peakRetainedSkeletonVoxels, this.retained);
    for (let k = this.dueStart[index]; k < this.dueStart[index + 1]; k++) this.complete(this.due[k]);
    this.next++;
  }

  /** Every block must have been added; all components are whole then. */
  finish(): void {
    const blocks = this.grid[0] * this.grid[1] * this.grid[2];
    if (this.next !== blocks) throw new Error(`StreamingGraphMerge: ${blocks - this.next} blocks missing`);
    if (this.open.size > 0) throw new Error(`StreamingGraphMerge: ${this.open.size} components never completed`);
  }

  private complete(c: number): void {
    this.whole[c] = 1;
    if (this.where) this.joinTouching(c);
    const root = findRoot(this.group, c);
    const members = this.members.get(root) ?? [root];
    if (members.some((m) => !this.whole[m])) return;
    this.members.delete(root);
    this.emitGroup(members);
  }

  /** Group `c` with the components whose held skeleton voxels touch its own (26-neighbourhood). */
  private joinTouching(c: number): void {
    const o = this.open.get(c);
    if (!o) return;
    const [D, H, W] = this.volumeShape;
    for (const idx of o.index) {
      const x = idx % W, r = (idx - x) / W, y = r % H, z = (r - y) / H;
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const zz = z + dz, yy = y + dy, xx = x + dx;
            if (zz < 0 || zz >= D || yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
            const other = this.where!.get((zz * H + yy) * W + xx);
            if (other !== undefined && other !== c) this.join(c, other);
          }
    }
  }

  private join(a: number, b: number): void {
    const ra = findRoot(this.group, a), rb = findRoot(this.group, b);
    if (ra === rb) return;
    const members = [...(this.members.get(ra) ?? [ra]), ...(this.members.get(rb) ?? [rb])];
    this.members.delete(ra);
    this.members.delete(rb);
    this.members.set(unionRoots(this.group, ra, rb), members);
  }

  private emitGroup(members: number[]): void {
    let n = 0;
    for (const m of members) n += this.open.get(m)?.index.length ?? 0;
    const sk = { indices: new Float64Array(n), radii: new Float32Array(n), component: new Int32Array(n) };
    let o = 0;
    for (const m of members) {
      const v = this.open.get(m);
      if (!v) continue;
      sk.indices.set(v.index, o);
      sk.radii.set(v.radius, o);
      sk.component.fill(m, o, o + v.index.length);
      o += v.index.length;
      this.open.delete(m);
      if (this.where) for (const idx of v.index) this.where.delete(idx);
    }
    this.retained -= n;
    if (n === 0) return;
    const g = skeletonGraph(sk, this.volumeShape, this.voxelSize, this.graphOptions);
    for (const node of g.nodes) node.id += this.nodes;
    for (const b of g.branches) {
      b.id += this.branches;
      b.src += this.nodes;
      b.dst += this.nodes;
    }
    this.nodes += g.nodes.length;
    this.branches += g.branches.length;
    this.emit({ nodes: g.nodes, branches: g.branches, skeleton: sk });
  }

  private blockOf(z: number, y: number, x: number): number {
    return (Math.floor(z / this.block[0]) * this.grid[1] + Math.floor(y / this.block[1])) * this.grid[2] + Math.floor(x / this.block[2]);
  }
}

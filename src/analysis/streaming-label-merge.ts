/**
 * Block-wise labels merged into whole-volume components as the blocks arrive, holding only the
 * block faces that can still meet a block not yet seen.
 *
 * Blocks are merged in raster order of the block grid (results that arrive early wait, counted in
 * the retained state). A block's shell (its foreground voxels on faces shared with other blocks)
 * is joined, by union-find over (block, local label), with the shells of the neighbouring blocks
 * already merged, and dropped once its last neighbour in raster order, (bz+1, by+1, bx+1), has
 * been merged: the shells held at any time are those of about one layer of blocks, a block
 * boundary of the volume, whatever the size of the network. What grows with the data is one
 * union-find entry and one stats row per (block, label): the components table itself.
 *
 * Components are numbered 1..n in raster order of their first voxel, the numbering whole-volume
 * labelling gives, so block-wise and whole-volume results carry the same labels.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import type { Connectivity } from './label-components.js';
import { STAT_STRIDE, mergeStats } from './component-measures.js';
import { findRoot, unionRoots } from './_union-find.js';
import type { MergedLabels } from './merge-blocks.js';

export interface StreamedBlockLabels {
  count: number;
  stats: ArrayLike<number>;
  shellIndex: ArrayLike<number>;
  shellLabel: ArrayLike<number>;
  /** Per label: χ × EULER_SCALE (optional: absent in results of older runs). */
  euler?: ArrayLike<number>;
}

export interface StreamedLabels extends MergedLabels {
  /** Per component (index 0 unused): χ × EULER_SCALE. */
  euler: Float64Array;
}

export class StreamingLabelMerge {
  private readonly grid: Vec3;
  private readonly offsets: number[] = [];
  private parent = new Int32Array(1024);
  private stats = new Float64Array(1024 * STAT_STRIDE);
  private euler = new Float64Array(1024);
  private total = 0;
  private next = 0;
  private readonly pending = new Map<number, StreamedBlockLabels>();
  /** Shells of merged blocks that a later block can still touch: block index → (voxel → global id). */
  private readonly shells = new Map<number, Map<number, number>>();
  private readonly fwd: Vec3[] = [];
  private retained = 0;
  /** Most shell voxels (held shells plus waiting blocks' shells) held at once. */
  peakRetainedShellVoxels = 0;
  /** Shell voxels seen in all blocks. */
  totalShellVoxels = 0;

  constructor(
    private readonly volumeShape: Vec3,
    private readonly block: Vec3,
    connectivity: Connectivity,
  ) {
    this.grid = [0, 1, 2].map((a) => Math.ceil(volumeShape[a] / block[a])) as Vec3;
    for (let dz = -1; dz <= 1; dz++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const m = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
          if (m === 0 || (connectivity === 6 && m > 1)) continue;
          this.fwd.push([dz, dy, dx]);
        }
  }

  /** Blocks in the grid (raster order of `volumeBlocks`). */
  get blockCount(): number {
    return this.grid[0] * this.grid[1] * this.grid[2];
  }

  /** Shell voxels held now. */
  get retainedShellVoxels(): number {
    return this.retained;
  }

  /** Add the labels of block `index` (raster order of the block grid); any arrival order. */
  add(index: number, b: StreamedBlockLabels): void {
    this.pending.set(index, b);
    this.retained += b.shellIndex.length;
    this.totalShellVoxels += b.shellIndex.length;
    this.peakRetainedShellVoxels = Math.max(this.peakRetainedShellVoxels, this.retained);
    for (let p = this.pending.get(this.next); p; p = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.mergeNext(p);
      this.next++;
    }
  }

  private grow(total: number): void {
    if (total + 1 <= this.parent.length) return;
    const n = Math.max(total + 1, this.parent.length * 2);
    const parent = new Int32Array(n);
    parent.set(this.parent);
    const stats = new Float64Array(n * STAT_STRIDE);
    stats.set(this.stats);
    const euler = new Float64Array(n);
    euler.set(this.euler);
    [this.parent, this.stats, this.euler] = [parent, stats, euler];
  }

  private mergeNext(b: StreamedBlockLabels): void {
    const k = this.next;
    const base = this.total;
    this.offsets.push(base);
    this.grow(base + b.count);
    for (let l = 1; l <= b.count; l++) {
      this.parent[base + l] = base + l;
      for (let s = 0; s < STAT_STRIDE; s++) this.stats[(base + l) * STAT_STRIDE + s] = b.stats[l * STAT_STRIDE + s];
      this.euler[base + l] = b.euler ? b.euler[l] : NaN;
    }
    this.total += b.count;
    const own = new Map<number, number>();
    const [D, H, W] = this.volumeShape;
    for (let i = 0; i < b.shellIndex.length; i++) {
      const idx = b.shellIndex[i], g = base + b.shellLabel[i];
      own.set(idx, g);
      const x = idx % W, r = (idx - x) / W, y = r % H, z = (r - y) / H;
      for (const [dz, dy, dx] of this.fwd) {
        const zz = z + dz, yy = y + dy, xx = x + dx;
        if (zz < 0 || zz >= D || yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
        const nb = this.blockOf(zz, yy, xx);
        if (nb >= k) continue;
        const h = this.shells.get(nb)?.get((zz * H + yy) * W + xx);
        if (h !== undefined) unionRoots(this.parent, g, h);
      }
    }
    this.shells.set(k, own);
    for (const [j, m] of this.shells)
      if (this.lastNeighbour(j) <= k) {
        this.retained -= m.size;
        this.shells.delete(j);
      }
  }

  private blockOf(z: number, y: number, x: number): number {
    return (Math.floor(z / this.block[0]) * this.grid[1] + Math.floor(y / this.block[1])) * this.grid[2] + Math.floor(x / this.block[2]);
  }

  /** Raster index of the last block that touches block `j`: (bz+1, by+1, bx+1), clipped to the grid. */
  private lastNeighbour(j: number): number {
    const [, gy, gx] = this.grid;
    const bx = j % gx, r = (j - bx) / gx, by = r % gy, bz = (r - by) / gy;
    return (Math.min(bz + 1, this.grid[0] - 1) * gy + Math.min(by + 1, gy - 1)) * gx + Math.min(bx + 1, gx - 1);
  }

  /** Components of the whole volume; every block must have been added. */
  finish(): StreamedLabels {
    if (this.next !== this.blockCount) throw new Error(`StreamingLabelMerge: ${this.blockCount - this.next} blocks missing`);
    const total = this.total;
    const find = (a: number) => findRoot(this.parent, a);
    const acc = new Float64Array((total + 1) * STAT_STRIDE);
    const chi = new Float64Array(total + 1);
    for (let g = 1; g <= total; g++) {
      const root = find(g);
      mergeStats(acc, root * STAT_STRIDE, this.stats, g * STAT_STRIDE);
      chi[root] += this.euler[g];
    }
    const roots: number[] = [];
    for (let g = 1; g <= total; g++) if (find(g) === g) roots.push(g);
    roots.sort((a, b) => acc[a * STAT_STRIDE + 19] - acc[b * STAT_STRIDE + 19]);
    const finalOf = new Int32Array(total + 1);
    const stats = new Float64Array((roots.length + 1) * STAT_STRIDE);
    const euler = new Float64Array(roots.length + 1);
    roots.forEach((g, k) => {
      finalOf[g] = k + 1;
      stats.set(acc.subarray(g * STAT_STRIDE, (g + 1) * STAT_STRIDE), (k + 1) * STAT_STRIDE);
      euler[k + 1] = chi[g];
    });
    const map = this.offsets.map((base, i) => {
      const count = (i + 1 < this.offsets.length ? this.offsets[i + 1] : total) - base;
      const m = new Int32Array(count + 1);
      for (let l = 1; l <= count; l++) m[l] = finalOf[find(base + l)];
      return m;
    });
    return { count: roots.length, map, stats, euler };
  }
}

/** Raster index of a block's core in the grid of `block`-sized blocks. */
export function blockIndexOf(core: Box3, volumeShape: Vec3, block: Vec3): number {
  const g = [0, 1, 2].map((a) => Math.ceil(volumeShape[a] / block[a]));
  return (Math.floor(core.start[0] / block[0]) * g[1] + Math.floor(core.start[1] / block[1])) * g[2] + Math.floor(core.start[2] / block[2]);
}

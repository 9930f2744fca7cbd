/**
 * Merge block-wise labels into whole-volume components: union-find over (block, local label)
 * pairs, joined wherever two foreground voxels of different blocks touch across a block face, edge
 * or corner (the connectivity's neighbourhood). Components are numbered 1..n in raster order of
 * their first voxel, which is the numbering whole-volume labelling gives, so block-wise and
 * whole-volume results are the same labels, not just the same partition.
 */
import type { Vec3 } from '../geometry/box.js';
import type { Connectivity } from './label-components.js';
import { STAT_STRIDE, mergeStats } from './component-measures.js';
import { findRoot, unionRoots } from './_union-find.js';

export interface MergedLabels {
  /** Components in the whole volume. */
  count: number;
  /** Per block, local label → component (1..count); index 0 unused. */
  map: Int32Array[];
  /** STAT_STRIDE numbers per component, component 0 first (unused). */
  stats: Float64Array;
}

export interface BlockLabels {
  count: number;
  stats: ArrayLike<number>;
  shellIndex: ArrayLike<number>;
  shellLabel: ArrayLike<number>;
}

export function mergeBlockResults(blocks: BlockLabels[], volumeShape: Vec3, connectivity: Connectivity): MergedLabels {
  const offsets: number[] = [];
  let total = 0;
  for (const b of blocks) {
    offsets.push(total);
    total += b.count;
  }
  const parent = new Int32Array(total + 1);
  for (let i = 0; i <= total; i++) parent[i] = i;
  const find = (a: number) => findRoot(parent, a);
  const shell = new Map<number, number>();
  blocks.forEach((b, i) => {
    for (let k = 0; k < b.shellIndex.length; k++) shell.set(b.shellIndex[k], offsets[i] + b.shellLabel[k]);
  });
  const [D, H, W] = volumeShape;
  // Half of the neighbourhood (the offsets that come later in raster order): each pair once.
  const fwd: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const manhattan = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (manhattan === 0 || (connectivity === 6 && manhattan > 1)) continue;
        if (dz * H * W + dy * W + dx > 0) fwd.push([dz, dy, dx]);
      }
  for (const [idx, g] of shell) {
    const x = idx % W, r = (idx - x) / W, y = r % H, z = (r - y) / H;
    for (const [dz, dy, dx] of fwd) {
      const zz = z + dz, yy = y + dy, xx = x + dx;
      if (zz < 0 || zz >= D || yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
      const h = shell.get((zz * H + yy) * W + xx);
      if (h === undefined) continue;
      unionRoots(parent, g, h);
    }
  }
  // Merge stats into roots, then number roots by first voxel.
  const acc = new Float64Array((total + 1) * STAT_STRIDE);
  blocks.forEach((b, i) => {
    for (let l = 1; l <= b.count; l++) mergeStats(acc, find(offsets[i] + l) * STAT_STRIDE, b.stats, l * STAT_STRIDE);
  });
  const roots: number[] = [];
  for (let g = 1; g <= total; g++) if (find(g) === g) roots.push(g);
  roots.sort((a, b) => acc[a * STAT_STRIDE + 19] - acc[b * STAT_STRIDE + 19]);
  const finalOf = new Int32Array(total + 1);
  const stats = new Float64Array((roots.length + 1) * STAT_STRIDE);
  roots.forEach((g, k) => {
    finalOf[g] = k + 1;
    stats.set(acc.subarray(g * STAT_STRIDE, (g + 1) * STAT_STRIDE), (k + 1) * STAT_STRIDE);
  });
  const map = blocks.map((b, i) => {
    const m = new Int32Array(b.count + 1);
    for (let l = 1; l <= b.count; l++) m[l] = finalOf[find(offsets[i] + l)];
    return m;
  });
  return { count: roots.length, map, stats };
}

import { join } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import { readSkeletonSpill, writeSkeletonSpill } from './_skeleton-spill.js';
import type { Connectivity } from './label-components.js';
import type { BlockResult } from './analyze-block.js';
import { StreamingLabelMerge, blockIndexOf } from './streaming-label-merge.js';
import { STAT_STRIDE } from './component-measures.js';

/** The size filter (voxels), applied on arrival to components a block holds whole. */
export interface SizeFilter {
  min: number;
  max?: number;
}

/** A block's skeleton, in typed arrays (a fraction of the memory of the JSON result it came from). */
export interface BlockSkeleton {
  index: Float64Array;
  radius: Float32Array;
  label: Int32Array;
}

/**
 * What the coordinator keeps of each block result as it arrives: the labels go straight into the
 * streaming merge (shells held only while a later block can touch them), the skeleton is kept in
 * typed arrays for the graph pass (in a spill file per block when given a directory, so that the
 * pass reads one block at a time), the rest (stats, counts) is folded in and the result dropped.
 * A component that touches none of the block's shared faces is whole in the block: when the size
 * filter rejects it, its skeleton is dropped at once (the specks of a textured background are
 * most of a noisy volume's skeleton).
 */
export class BlockCollector {
  readonly labels: StreamingLabelMerge;
  /** Per block, its kept skeleton, or the spill file holding it. */
  private readonly skeletons: (BlockSkeleton | string)[] = [];
  foreground = 0;
  /** Largest radius (µm) at a skeleton voxel of any block. */
  maxRadius = 0;
  /** Skeleton voxels received, and kept for the graph (in memory, or spilled). */
  skeletonVoxelsSeen = 0;
  skeletonVoxelsKept = 0;

  constructor(
    private readonly volumeShape: Vec3,
    private readonly block: Vec3,
    connectivity: Connectivity,
    private readonly size: SizeFilter = { min: 0 },
    /** Keep the skeletons here (one file per block) instead of in memory. */
    private readonly spillDir?: string,
  ) {
    this.labels = new StreamingLabelMerge(volumeShape, block, connectivity);
  }

  add(r: BlockResult): void {
    const k = blockIndexOf(r.core, this.volumeShape, this.block);
    this.labels.add(k, r);
    const kept = this.keptSkeleton(r);
    if (this.spillDir) {
      const path = join(this.spillDir, `${k}.bin`);
      writeSkeletonSpill(path, kept);
      this.skeletons[k] = path;
    } else this.skeletons[k] = kept;
    this.foreground += r.foreground;
    let m = r.maxRadius ?? 0;
    if (r.maxRadius === undefined) for (const x of r.skelRadius) m = Math.max(m, x);
    this.maxRadius = Math.max(this.maxRadius, m);
  }

  /** The kept skeleton of block `k` (raster index), read back when spilled. */
  skeletonOf(k: number): BlockSkeleton {
    const s = this.skeletons[k];
    if (s === undefined) return { index: new Float64Array(0), radius: new Float32Array(0), label: new Int32Array(0) };
    return typeof s === 'string' ? readSkeletonSpill(s) : s;
  }

  private keptSkeleton(r: BlockResult): BlockSkeleton {
    const onShell = new Uint8Array(r.count + 1);
    for (const l of r.shellLabel) onShell[l] = 1;
    const keep = (l: number) => {
      if (onShell[l]) return true;
      const n = r.stats[l * STAT_STRIDE];
      return n >= this.size.min && (this.size.max === undefined || n <= this.size.max);
    };
    let n = 0;
    for (const l of r.skelLabel) if (keep(l)) n++;
    const out: BlockSkeleton = { index: new Float64Array(n), radius: new Float32Array(n), label: new Int32Array(n) };
    for (let i = 0, o = 0; i < r.skelLabel.length; i++) {
      if (!keep(r.skelLabel[i])) continue;
      out.index[o] = r.skelIndex[i];
      out.radius[o] = r.skelRadius[i];
      out.label[o++] = r.skelLabel[i];
    }
    this.skeletonVoxelsSeen += r.skelLabel.length;
    this.skeletonVoxelsKept += n;
    return out;
  }
}

import type { Vec3 } from '../geometry/box.js';
import type { Connectivity } from './label-components.js';
import type { BlockResult } from './analyze-block.js';
import { StreamingLabelMerge, blockIndexOf } from './streaming-label-merge.js';

/** A block's skeleton, in typed arrays (a fraction of the memory of the JSON result it came from). */
export interface BlockSkeleton {
  index: Float64Array;
  radius: Float32Array;
  label: Int32Array;
}

/**
 * What the coordinator keeps of each block result as it arrives: the labels go straight into the
 * streaming merge (shells held only while a later block can touch them), the skeleton is kept in
 * typed arrays for the graph, the rest (stats, counts) is folded in and the result dropped.
 */
export class BlockCollector {
  readonly labels: StreamingLabelMerge;
  readonly skeletons: BlockSkeleton[] = [];
  foreground = 0;
  /** Largest radius (µm) at a skeleton voxel of any block. */
  maxRadius = 0;

  constructor(
    private readonly volumeShape: Vec3,
    private readonly block: Vec3,
    connectivity: Connectivity,
  ) {
    this.labels = new StreamingLabelMerge(volumeShape, block, connectivity);
  }

  add(r: BlockResult): void {
    const k = blockIndexOf(r.core, this.volumeShape, this.block);
    this.labels.add(k, r);
    this.skeletons[k] = { index: Float64Array.from(r.skelIndex), radius: Float32Array.from(r.skelRadius), label: Int32Array.from(r.skelLabel) };
    this.foreground += r.foreground;
    let m = r.maxRadius ?? 0;
    if (r.maxRadius === undefined) for (const x of r.skelRadius) m = Math.max(m, x);
    this.maxRadius = Math.max(this.maxRadius, m);
  }
}

import { allocTyped, type TileDtype, type TileTypedArray } from '../zarrio/dtypes.js';

/** The arrays one tile block is read into: the tile's voxels as stored, then as float. */
export interface BlockBuffers {
  raw(dtype: TileDtype, n: number): TileTypedArray;
  float(n: number): Float32Array;
}

/**
 * Arrays reused from one region to the next by a reader that composes region after region
 * (fusion): slot k holds the k-th tile block of a region, grown on demand and viewed at the
 * length asked. A fresh array per block per region (tens of MiB each) made fusion spend a quarter
 * of its time collecting garbage ("external memory pressure") and in the kernel's page faults.
 * Memory: the largest blocks of the most tiles one region meets, as a region's blocks need anyway.
 * The blocks of one region must be used before the next region is read into the same slots.
 */
export class TileBlockBuffers {
  private readonly slots: BlockBuffers[] = [];

  slot(k: number): BlockBuffers {
    let s = this.slots[k];
    if (!s) {
      let raw: TileTypedArray = new Uint8Array(0), float = new Float32Array(0);
      s = {
        raw(dtype, n) {
          if (raw.constructor !== allocTyped(dtype, 0).constructor || raw.length < n) raw = allocTyped(dtype, n);
          return raw.subarray(0, n);
        },
        float(n) {
          if (float.length < n) float = new Float32Array(n);
          return float.subarray(0, n);
        },
      };
      this.slots[k] = s;
    }
    return s;
  }
}

import type { TileTypedArray } from './dtypes.js';
import type { Box3, Vec3 } from '../geometry/box.js';

/** A decoded chunk seen as 3-D: shape and strides (elements) along (z, y, x). */
export interface Chunk3 {
  data: TileTypedArray;
  shape: Vec3;
  stride: Vec3;
}

/** The part of `box` that a chunk at `origin` covers, as [lo, hi) per axis; undefined when none. */
function overlap(chunk: Chunk3, origin: Vec3, box: Box3): { lo: Vec3; hi: Vec3 } | undefined {
  const lo: Vec3 = [0, 0, 0];
  const hi: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(box.start[a], origin[a]);
    hi[a] = Math.min(box.start[a] + box.size[a], origin[a] + chunk.shape[a]);
    if (hi[a] <= lo[a]) return undefined;
  }
  return { lo, hi };
}

/** Copy the part of a chunk inside `box` into `out` (C-order, shape box.size). */
export function copyChunkIntoRegion(chunk: Chunk3, origin: Vec3, box: Box3, out: TileTypedArray): void {
  const ov = overlap(chunk, origin, box);
  if (!ov) return;
  const { lo, hi } = ov;
  const [, oh, ow] = box.size;
  const [sz, sy, sx] = chunk.stride;
  const src = chunk.data;
  const nx = hi[2] - lo[2];
  for (let z = lo[0]; z < hi[0]; z++) {
    for (let y = lo[1]; y < hi[1]; y++) {
      const s0 = (z - origin[0]) * sz + (y - origin[1]) * sy + (lo[2] - origin[2]) * sx;
      const d0 = ((z - box.start[0]) * oh + (y - box.start[1])) * ow + (lo[2] - box.start[2]);
      if (sx === 1) {
        // Same element type on both sides: set() is a memcpy of the row.
        (out as Uint8Array).set((src as Uint8Array).subarray(s0, s0 + nx), d0);
      } else {
        for (let i = 0; i < nx; i++) out[d0 + i] = src[s0 + i * sx];
      }
    }
  }
}

/** Output shape of a block-downsampled read: ceil(size / factor) per axis. */
export function downsampledShape(size: Vec3, factor: Vec3): Vec3 {
  return [Math.ceil(size[0] / factor[0]), Math.ceil(size[1] / factor[1]), Math.ceil(size[2] / factor[2])];
}

/**
 * Add a chunk's voxels inside `box` to the block sums `sums` (shape downsampledShape(box.size, f)).
 * Blocks are anchored at box.start; float64 sums keep large blocks of uint16 exact.
 */
export function accumulateChunkBlocks(chunk: Chunk3, origin: Vec3, box: Box3, factor: Vec3, sums: Float64Array): void {
  const ov = overlap(chunk, origin, box);
  if (!ov) return;
  const { lo, hi } = ov;
  const outShape = downsampledShape(box.size, factor);
  const [sz, sy, sx] = chunk.stride;
  const src = chunk.data;
  const nx = hi[2] - lo[2];
  // Output x index of each source column, computed once instead of a division per voxel.
  const ox = new Int32Array(nx);
  for (let i = 0; i < nx; i++) ox[i] = Math.floor((lo[2] + i - box.start[2]) / factor[2]);
  const pairsX = sx === 1 && factor[2] === 2 && (lo[2] - box.start[2]) % 2 === 0;
  for (let z = lo[0]; z < hi[0]; z++) {
    const oz = Math.floor((z - box.start[0]) / factor[0]);
    for (let y = lo[1]; y < hi[1]; y++) {
      const oy = Math.floor((y - box.start[1]) / factor[1]);
      const row = (oz * outShape[1] + oy) * outShape[2];
      const s0 = (z - origin[0]) * sz + (y - origin[1]) * sy + (lo[2] - origin[2]) * sx;
      if (pairsX) {
        // Factor 2 along contiguous x, blocks aligned with the chunk's part: two voxels per block.
        let o = row + ox[0], si = s0;
        const end = s0 + nx - 1;
        for (; si < end; si += 2, o++) sums[o] += src[si] + src[si + 1];
        if (si === end) sums[o] += src[si];
        continue;
      }
      // A run of source voxels of one output block is summed locally: one float64 read-modify-write
      // per block instead of one per voxel (this loop is most of an averaging read).
      let cur = ox[0], acc = 0;
      for (let i = 0; i < nx; i++) {
        const o = ox[i];
        if (o !== cur) {
          sums[row + cur] += acc;
          acc = 0;
          cur = o;
        }
        acc += src[s0 + i * sx];
      }
      sums[row + cur] += acc;
    }
  }
}

/** Divide block sums by the number of voxels each block really holds (edge blocks hold fewer). */
export function finishBlockAverage(sums: Float64Array, size: Vec3, factor: Vec3): Float32Array {
  const outShape = downsampledShape(size, factor);
  const counts = [0, 1, 2].map((a) => {
    const c = new Float64Array(outShape[a]);
    for (let o = 0; o < outShape[a]; o++) c[o] = Math.min(factor[a], size[a] - o * factor[a]);
    return c;
  });
  const out = new Float32Array(sums.length);
  let i = 0;
  for (let z = 0; z < outShape[0]; z++) {
    for (let y = 0; y < outShape[1]; y++) {
      const cyz = counts[0][z] * counts[1][y];
      for (let x = 0; x < outShape[2]; x++, i++) out[i] = sums[i] / (cyz * counts[2][x]);
    }
  }
  return out;
}

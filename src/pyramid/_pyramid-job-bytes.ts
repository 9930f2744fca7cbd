import type { Vec3 } from '../geometry/box.js';
import type { PyramidBlockPlanInput } from './plan-pyramid-blocks.js';

const prod = (v: readonly number[]): number => v[0] * v[1] * v[2];

/**
 * Bytes one block job holds at most: the level k−1 box it reads (tile dtype), the source chunks
 * decoding meanwhile, the float64 sums of the block, the block in the tile dtype, and
 * one output chunk being encoded (raw + compressed).
 */
export function estimatePyramidJobBytes(p: PyramidBlockPlanInput, block: Vec3): number {
  const outShape = block.map((b, a) => Math.min(b, p.levelShape[a])) as Vec3;
  const inShape = outShape.map((b, a) => Math.min(b * p.step[a], p.sourceShape[a])) as Vec3;
  const input = prod(inShape) * p.bytesPerVoxel;
  // Chunks the box can touch (one more per axis when it is not aligned to them), decoded at most readConcurrency at once.
  const touched = prod(inShape.map((s, a) => Math.min(Math.ceil(s / p.sourceChunk[a]) + 1, Math.ceil(p.sourceShape[a] / p.sourceChunk[a]))));
  const decoding = Math.min(p.readConcurrency, touched) * prod(p.sourceChunk) * p.bytesPerVoxel;
  const sums = prod(outShape) * (8 + p.bytesPerVoxel);
  const encoding = 2 * prod(p.chunk) * p.bytesPerVoxel;
  return input + decoding + sums + encoding;
}


import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import { estimatePyramidJobBytes } from './_pyramid-job-bytes.js';

export interface PyramidBlockPlanInput {
  /** Shape of the level being built. */
  levelShape: Vec3;
  /** Its chunk shape: blocks are whole chunks, so two jobs never write one chunk. */
  chunk: Vec3;
  /** Level k−1 voxels per level-k voxel. */
  step: Vec3;
  /** Shape and chunk shape of the level read (k−1). */
  sourceShape: Vec3;
  sourceChunk: Vec3;
  /** Bytes per voxel of the tile's dtype. */
  bytesPerVoxel: number;
  /** Source chunks decoded at once by one job's read. */
  readConcurrency: number;
  /** What one job may hold, bytes. */
  budgetBytes: number;
  /** For messages: which tile and level. */
  what: string;
}

export interface PyramidBlockPlan {
  /** Block shape in voxels of the level built: a multiple of its chunk (or the whole axis). */
  block: Vec3;
  /** Blocks per axis. */
  grid: Vec3;
  /** Largest memory one job of this plan holds, bytes (see _pyramid-job-bytes.ts). */
  estimatedBytes: number;
}

/**
 * Plan the blocks of one pyramid level: start from one chunk and double the block along x, y,
 * then z while the job stays within the budget, so the number of jobs (and their overhead) falls
 * as the budget allows, whatever the tile size. A budget too small for one chunk is an error
 * naming the level and the bytes it needs.
 */
export function planPyramidBlocks(p: PyramidBlockPlanInput): PyramidBlockPlan {
  let block = p.chunk.map((c, a) => Math.min(c, p.levelShape[a])) as Vec3;
  let bytes = estimatePyramidJobBytes(p, block);
  if (bytes > p.budgetBytes) {
    throw new StitchgraphError('InputError', `Cannot plan the pyramid of ${p.what}: one chunk [${block.join(', ')}] needs ${(bytes / 2 ** 20).toFixed(1)} MiB, above the budget of ${(p.budgetBytes / 2 ** 20).toFixed(1)} MiB (raise pyramid.memory_mb or lower pyramid.chunk)`, {
      details: { needed: bytes, budget: p.budgetBytes },
    });
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of [2, 1, 0]) {
      if (block[a] >= p.levelShape[a]) continue;
      const next = [...block] as Vec3;
      next[a] = Math.min(block[a] * 2, Math.ceil(p.levelShape[a] / p.chunk[a]) * p.chunk[a]);
      const nextBytes = estimatePyramidJobBytes(p, next);
      if (nextBytes > p.budgetBytes) continue;
      block = next;
      bytes = nextBytes;
      grew = true;
    }
  }
  return { block, grid: block.map((b, a) => Math.ceil(p.levelShape[a] / b)) as Vec3, estimatedBytes: bytes };
}

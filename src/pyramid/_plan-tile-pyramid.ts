import type { Campaign, TileInfo } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { allocTyped } from '../zarrio/dtypes.js';
import { pyramidFactors } from './pyramid-factors.js';
import { shapeAtFactors } from './_shape-at-factors.js';
import { planPyramidBlocks, type PyramidBlockPlan } from './plan-pyramid-blocks.js';

/** Source chunks one job decodes at once: part of its memory budget. */
export const READ_CONCURRENCY = 4;

export interface LevelPlan {
  index: number;
  factors: Vec3;
  shape: Vec3;
  chunk: Vec3;
  blocks: PyramidBlockPlan;
}

export interface TilePyramidPlan {
  tile: TileInfo;
  /** Every level, level 0 (the tile, no blocks) first. */
  levels: LevelPlan[];
}

/** Factors, shapes, chunks and block plans of every level of one tile, within the campaign's memory budget. */
export function planTilePyramid(campaign: Campaign, tile: TileInfo, tileChunk: Vec3): TilePyramidPlan {
  const s = campaign.config.pyramid;
  const factors = pyramidFactors(tile.shape, campaign.voxelSize, { minSize: s.min_size, maxLevels: s.max_levels });
  const bytesPerVoxel = allocTyped(tile.dtype, 0).BYTES_PER_ELEMENT;
  const levels: LevelPlan[] = [];
  factors.forEach((f, k) => {
    const shape = shapeAtFactors(tile.shape, f);
    const chunk = k === 0 ? tileChunk : (s.chunk.map((c, a) => Math.min(c, shape[a])) as Vec3);
    const below = levels[k - 1];
    const blocks: PyramidBlockPlan =
      k === 0
        ? { block: shape, grid: [1, 1, 1], estimatedBytes: 0 }
        : planPyramidBlocks({
            levelShape: shape,
            chunk,
            step: f.map((v, a) => v / below.factors[a]) as Vec3,
            sourceShape: below.shape,
            sourceChunk: below.chunk,
            bytesPerVoxel,
            readConcurrency: READ_CONCURRENCY,
            budgetBytes: s.memory_mb * 2 ** 20,
            what: `tile ${tile.id}, level ${k}`,
          });
    levels.push({ index: k, factors: f, shape, chunk, blocks });
  });
  return { tile, levels };
}

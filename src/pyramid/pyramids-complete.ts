import type { Campaign } from '../campaign/open-campaign.js';
import { pyramidFactors } from './pyramid-factors.js';
import { readPyramidGroupAttrs } from './_pyramid-layout.js';
import { pyramidStorePath } from './pyramid-store-path.js';

/**
 * Does every tile have its whole pyramid: its own OME-Zarr multiscales, a single level, or all
 * planned levels complete in the derived store? Reads one small attributes file per tile.
 */
export async function pyramidsComplete(campaign: Campaign): Promise<boolean> {
  const s = campaign.config.pyramid;
  const store = pyramidStorePath(campaign);
  for (const tile of campaign.tiles) {
    if (tile.multiscales && tile.multiscales.datasets.length > 1) continue;
    const levels = pyramidFactors(tile.shape, campaign.voxelSize, { minSize: s.min_size, maxLevels: s.max_levels });
    if (levels.length === 1) continue;
    const attrs = await readPyramidGroupAttrs(store, tile.id);
    if (!attrs || attrs.complete !== levels.length - 1 || attrs.source.array !== tile.array || JSON.stringify(attrs.factors) !== JSON.stringify(levels)) return false;
  }
  return true;
}

import type { Campaign } from '../campaign/open-campaign.js';

/** Whether `run` analyses this campaign: `analysis.enabled` when set, else only when some tile is 3-D. */
export function analysisEnabled(campaign: Campaign): boolean {
  const set = campaign.config.analysis.enabled;
  if (set !== undefined) return set;
  return campaign.tiles.some((t) => t.shape[0] > 1);
}

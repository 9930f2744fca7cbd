import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import type { PositionsFile } from '../formats/positions.js';
import { openStitchedVolume } from './open-stitched-volume.js';
import { intensitySummary, type IntensitySummary } from './intensity-summary.js';

/** The intensity model views of a campaign apply (at the optimised positions when there are some), by tile id. */
export async function campaignIntensity(campaign: Campaign, positions: PositionsFile | undefined): Promise<IntensitySummary> {
  const volume = await openStitchedVolume(campaign, positions ? join(campaign.workdir, 'positions.json') : undefined);
  const model = await volume.intensity();
  return intensitySummary(model, volume.tiles.map((t) => t.info.id));
}

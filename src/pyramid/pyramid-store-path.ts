import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';

/** Where a campaign's tile pyramids live: `pyramid.store`, else `<workdir>/pyramids.zarr`. */
export function pyramidStorePath(campaign: Campaign): string {
  return campaign.config.pyramid.store ?? join(campaign.workdir, 'pyramids.zarr');
}

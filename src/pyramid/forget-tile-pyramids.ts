import type { Campaign } from '../campaign/open-campaign.js';
import { pyramidMemo } from './_pyramid-memo.js';

/** Drop the pyramids openTilePyramid memoised for a campaign (after a build added levels). */
export function forgetTilePyramids(campaign: Campaign): void {
  pyramidMemo.delete(campaign);
}

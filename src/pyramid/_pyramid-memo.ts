import type { Campaign } from '../campaign/open-campaign.js';
import type { TilePyramid } from './open-tile-pyramid.js';

/** Opened pyramids per campaign object: dropped with it, or by forgetTilePyramids after a build. */
export const pyramidMemo = new WeakMap<Campaign, Map<string, Promise<TilePyramid>>>();

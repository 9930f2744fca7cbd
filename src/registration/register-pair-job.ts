/**
 * The `register-pair` job handler: any executor (inline, worker pool, NATS worker) runs a pair by
 * its JSON descriptor, checked against the kind's schema (`register-pair-payload.ts`). The campaign
 * is opened once per process (`openCampaignOnce`), so a worker running thousands of pairs opens the
 * store and its tile metadata once.
 */
import type { Campaign } from '../campaign/open-campaign.js';
import { openCampaignOnce } from '../campaign/open-campaign-once.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { PairJobPayloadSchema } from './register-pair-payload.js';
import { StitchgraphError } from '../errors.js';
import type { PairRecord } from '../formats/pairs.js';
import { registerPair, type PairTileSource } from './register-pair.js';
import { openTilePyramid } from '../pyramid/open-tile-pyramid.js';
import type { Box3, Vec3 } from '../geometry/box.js';
import { ChunkCache } from '../zarrio/chunk-cache.js';

/**
 * Decoded chunks kept for pair jobs, per process (thread). A pair reads its coarse boxes and its
 * windows once; what neighbouring pairs share is a corner of a tile. The 256 MiB process cache
 * would fill with chunks that are never read again and make a worker's memory follow the tile
 * size (bench/scale: register peak RSS 332 → 583 MB from 96×512×512 to 192×1024×1024 tiles).
 */
const PAIR_CACHE = new ChunkCache({ maxBytes: 32 * 2 ** 20 });

async function source(campaign: Campaign, id: string): Promise<PairTileSource> {
  const info = campaign.tileById.get(id);
  if (!info) throw new StitchgraphError('TileNotFound', `Cannot register pair: campaign ${campaign.file} has no tile "${id}"`, { details: { tile: id } });
  const [arr, pyramid] = await Promise.all([campaign.openTile(id), openTilePyramid(campaign, id)]);
  // The pyramid's levels (just level 0 without one): coarse-to-fine reads the level it needs.
  const levels = pyramid.levels.map((l) => ({ factors: l.factors, shape: l.shape, readRegion: (box: Box3, o?: { downsample?: Vec3 }) => l.array.readRegion(box, { ...o, cache: PAIR_CACHE }) }));
  return { shape: info.shape, fieldOfView: info.fieldOfView, fillValue: info.fillValue, readRegion: (box, o) => arr.readRegion(box, { ...o, cache: PAIR_CACHE }), levels };
}

export async function registerPairJob(payload: unknown): Promise<PairRecord> {
  const job = parseJobPayload('register-pair', PairJobPayloadSchema, payload);
  const campaign = await openCampaignOnce(job.campaign);
  const [ta, tb] = await Promise.all([source(campaign, job.a), source(campaign, job.b)]);
  return registerPair(job, ta, tb);
}

/**
 * The `register-pair` job handler: any executor (inline, worker pool, NATS worker) runs a pair by
 * its JSON descriptor. The campaign is opened once per process and file (memoised), so a worker
 * running thousands of pairs opens the store and its tile metadata once.
 */
import { stat } from 'node:fs/promises';
import { openCampaign, type Campaign } from '../campaign/open-campaign.js';
import { StitchgraphError } from '../errors.js';
import type { PairRecord } from '../formats/pairs.js';
import { registerPair, type PairJobPayload, type PairTileSource } from './register-pair.js';
import { openTilePyramid } from '../pyramid/open-tile-pyramid.js';
import type { Box3, Vec3 } from '../geometry/box.js';

const campaigns = new Map<string, Promise<Campaign>>();

/** Memoised per file and modification time: a long-lived worker sees an edited campaign. */
async function campaignOnce(file: string): Promise<Campaign> {
  let mtime = 0;
  try {
    mtime = (await stat(file)).mtimeMs;
  } catch {
    // openCampaign reports the missing file with its own message.
  }
  const key = `${file}\u0000${mtime}`;
  let c = campaigns.get(key);
  if (!c) {
    c = openCampaign(file);
    // A failed open is not cached: the next job retries (the file may have been fixed).
    c.catch(() => campaigns.delete(key));
    campaigns.set(key, c);
  }
  return c;
}

async function source(campaign: Campaign, id: string): Promise<PairTileSource> {
  const info = campaign.tileById.get(id);
  if (!info) throw new StitchgraphError('TileNotFound', `Cannot register pair: campaign ${campaign.file} has no tile "${id}"`, { details: { tile: id } });
  const [arr, pyramid] = await Promise.all([campaign.openTile(id), openTilePyramid(campaign, id)]);
  // The pyramid's levels (just level 0 without one): coarse-to-fine reads the level it needs.
  const levels = pyramid.levels.map((l) => ({ factors: l.factors, shape: l.shape, readRegion: (box: Box3, o?: { downsample?: Vec3 }) => l.array.readRegion(box, o) }));
  return { shape: info.shape, fieldOfView: info.fieldOfView, fillValue: info.fillValue, readRegion: (box, o) => arr.readRegion(box, o), levels };
}

export async function registerPairJob(payload: unknown): Promise<PairRecord> {
  const job = payload as PairJobPayload;
  if (!job || typeof job.campaign !== 'string' || typeof job.a !== 'string' || typeof job.b !== 'string' || !job.boxA || !job.boxB || !job.params) {
    throw new StitchgraphError('InputError', 'Cannot run register-pair job: the descriptor needs campaign, a, b, boxA, boxB and params');
  }
  const campaign = await campaignOnce(job.campaign);
  const [ta, tb] = await Promise.all([source(campaign, job.a), source(campaign, job.b)]);
  return registerPair(job, ta, tb);
}

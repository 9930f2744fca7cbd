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

async function source(campaign: Campaign, id: string): Promise<PairTileSource> {
  const info = campaign.tileById.get(id);
  if (!info) throw new StitchgraphError('TileNotFound', `Cannot register pair: campaign ${campaign.file} has no tile "${id}"`, { details: { tile: id } });
  const arr = await campaign.openTile(id);
  return { shape: info.shape, fieldOfView: info.fieldOfView, fillValue: info.fillValue, readRegion: (box) => arr.readRegion(box) };
}

export async function registerPairJob(payload: unknown): Promise<PairRecord> {
  const job = parseJobPayload('register-pair', PairJobPayloadSchema, payload);
  const campaign = await openCampaignOnce(job.campaign);
  const [ta, tb] = await Promise.all([source(campaign, job.a), source(campaign, job.b)]);
  return registerPair(job, ta, tb);
}

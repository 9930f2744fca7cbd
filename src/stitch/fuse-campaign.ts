import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import { createExecutor } from '../distributed/create-executor.js';
import { openStitchedVolume } from './open-stitched-volume.js';
import { fuseVolume, type FuseOptions, type FuseResult } from './fuse-volume.js';

export interface FuseCampaignOptions extends Omit<FuseOptions, 'positions'> {
  /** positions.json (default: workdir/positions.json when it exists, else nominal positions). */
  positions?: string | null;
  /** `--workers N` / `--servers URL` overrides of the campaign's executor. */
  workers?: number;
  servers?: string;
}

/** `stitchgraph fuse` as a library call: the campaign's stitched volume into workdir/fused.ome.zarr. */
export async function fuseCampaign(campaign: Campaign, opts: FuseCampaignOptions = {}): Promise<FuseResult> {
  const defaultPositions = join(campaign.workdir, 'positions.json');
  const positions = opts.positions !== undefined ? opts.positions : existsSync(defaultPositions) ? defaultPositions : null;
  const volume = await openStitchedVolume(campaign, positions ?? undefined);
  const executor = await createExecutor(campaign.config.distributed, { workers: opts.workers, servers: opts.servers }, { campaignFile: campaign.file, runId: 'fuse' });
  try {
    return await fuseVolume(volume, executor, { ...opts, positions });
  } finally {
    await executor.close();
  }
}

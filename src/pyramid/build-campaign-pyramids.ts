import type { Campaign } from '../campaign/open-campaign.js';
import { createExecutor } from '../distributed/create-executor.js';
import { buildPyramids, type BuildPyramidsOptions, type BuildPyramidsResult } from './build-pyramids.js';

export interface BuildCampaignPyramidsOptions extends BuildPyramidsOptions {
  /** `--workers N` / `--servers URL` overrides of the campaign's executor. */
  workers?: number;
  servers?: string;
}

/**
 * `stitchgraph pyramid` as a library call: every missing tile pyramid of the campaign, on the
 * campaign's executor (the local pool starts its threads only when there are blocks to build).
 */
export async function buildCampaignPyramids(campaign: Campaign, opts: BuildCampaignPyramidsOptions = {}): Promise<BuildPyramidsResult> {
  const executor = await createExecutor(campaign.config.distributed, { workers: opts.workers, servers: opts.servers }, { campaignFile: campaign.file, runId: 'pyramid' });
  try {
    return await buildPyramids(campaign, executor, opts);
  } finally {
    await executor.close();
  }
}

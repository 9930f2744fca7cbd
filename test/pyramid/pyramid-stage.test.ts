import { describe, it, expect } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { campaignStages } from '../../src/pipeline/campaign-stages.js';
import { runStages } from '../../src/pipeline/run-stages.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { forgetTilePyramids } from '../../src/pyramid/forget-tile-pyramids.js';
import { pyramidCampaign } from './_pyramid-helpers.js';

describe('the pyramid stage of run', () => {
  it('builds missing pyramids, is skipped when complete, and reruns when the store is gone', async () => {
    const campaign = await pyramidCampaign({ seed: 2 }, { memory_mb: 4 });
    const stages = campaignStages().filter((s) => s.name === 'pyramid');
    const ctx = { campaign, workers: 1 };
    expect((await runStages(stages, ctx)).pyramid.status).toBe('ran');
    expect((await openTilePyramid(campaign, 't_0_0_1')).levels.length).toBe(5);
    expect((await runStages(stages, ctx)).pyramid.status).toBe('up to date');
    await rm(join(campaign.workdir, 'pyramids.zarr'), { recursive: true });
    forgetTilePyramids(campaign);
    expect((await openTilePyramid(campaign, 't_0_0_1')).levels.length).toBe(1);
    expect((await runStages(stages, ctx)).pyramid.status).toBe('ran');
    expect((await openTilePyramid(campaign, 't_0_0_1')).levels.length).toBe(5);
  });
});

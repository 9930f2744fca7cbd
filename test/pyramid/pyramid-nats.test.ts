import { describe, it, expect, afterAll } from 'vitest';
import { startNatsServer, type NatsTestServer } from '../distributed/nats-server.js';
import { NatsExecutor } from '../../src/distributed/nats-executor.js';
import { natsSettings } from '../../src/campaign/sections/distributed.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { buildPyramids } from '../../src/pyramid/build-pyramids.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { join } from 'node:path';
import { pyramidCampaign } from './_pyramid-helpers.js';

let server: NatsTestServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('pyramid-block jobs on NATS workers', () => {
  it('builds the same pyramids as the inline executor', async () => {
    server = await startNatsServer();
    const campaign = await pyramidCampaign({ seed: 11 }, { memory_mb: 0.5 });
    const ex = await NatsExecutor.connect(natsSettings({ servers: server.url, stream_prefix: 'pyr', local_workers: 1 }), { campaignFile: campaign.file, runId: 'pyramid' });
    let res;
    try {
      res = await buildPyramids(campaign, ex);
    } finally {
      await ex.close();
    }
    expect(res.computed).toBeGreaterThan(4);
    const viaNats = await openTilePyramid(campaign, 't_0_0_1');
    campaign.config.pyramid.store = join(campaign.workdir, 'inline.zarr');
    await buildPyramids(campaign, new InlineExecutor());
    const inline = await openTilePyramid(campaign, 't_0_0_1');
    expect(viaNats.levels.length).toBe(inline.levels.length);
    for (let k = 1; k < inline.levels.length; k++) {
      const a = await viaNats.levels[k].array.readRegion({ start: [0, 0, 0], size: viaNats.levels[k].shape });
      const b = await inline.levels[k].array.readRegion({ start: [0, 0, 0], size: inline.levels[k].shape });
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
  });
});

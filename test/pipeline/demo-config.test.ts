import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { DEMO_CONFIG, DEMO_RECIPE } from '../../src/pipeline/demo-campaign.js';
import { loadCampaignConfig } from '../../src/campaign/load-config.js';

describe('configs/', () => {
  it('demo.yaml lists exactly the tiles synth writes for the demo recipe', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sg-demo-'));
    const res = await synthCampaign({ ...DEMO_RECIPE, outDir: out, grid: DEMO_RECIPE.grid, onTile: undefined });
    const written = parse(readFileSync(res.configPath, 'utf8')) as { tiles: unknown[] };
    const demo = parse(readFileSync(DEMO_CONFIG, 'utf8')) as { tiles: unknown[] };
    expect(demo.tiles).toEqual(written.tiles);
  });

  it.each(['demo.yaml', 'flat-2d.yaml', 'large-nats.yaml'])('%s is a valid campaign', async (name) => {
    const { config } = await loadCampaignConfig(join(DEMO_CONFIG, '..', name));
    expect(config.store.length).toBeGreaterThan(0);
  });
});

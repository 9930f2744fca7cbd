import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { analysisEnabled } from '../../src/pipeline/analysis-enabled.js';
import { writeMosaicCampaign } from '../helpers/mosaic-fixture.js';
import { synthCampaign } from '../../src/synth/synth-campaign.js';

const tile = (id: string, x: number) => ({ id, data: new Uint8Array(32 * 32), h: 32, w: 32, position: [0, 0, x] as [number, number, number] });

describe('run analyses only where the campaign asks for it (issue 15, failure 6)', () => {
  it('a 2-D mosaic is not analysed by default, and is when analysis.enabled is true', async () => {
    const off = await openCampaign(await writeMosaicCampaign(mkdtempSync(join(tmpdir(), 'sg-an-')), [tile('a', 0), tile('b', 28)]));
    expect(analysisEnabled(off)).toBe(false);
    const on = await openCampaign(await writeMosaicCampaign(mkdtempSync(join(tmpdir(), 'sg-an-')), [tile('a', 0), tile('b', 28)], { analysis: { enabled: true } }));
    expect(analysisEnabled(on)).toBe(true);
  });

  it('a 3-D campaign is analysed by default, and not with analysis.enabled: false', async () => {
    const base = { seed: 2, grid: [1, 1, 2] as [number, number, number], tileShape: [8, 24, 24] as [number, number, number] };
    const on = await openCampaign((await synthCampaign({ ...base, outDir: mkdtempSync(join(tmpdir(), 'sg-an-')) })).configPath);
    expect(analysisEnabled(on)).toBe(true);
    const off = await openCampaign((await synthCampaign({ ...base, outDir: mkdtempSync(join(tmpdir(), 'sg-an-')), extraConfig: { analysis: { enabled: false } } })).configPath);
    expect(analysisEnabled(off)).toBe(false);
  });
});

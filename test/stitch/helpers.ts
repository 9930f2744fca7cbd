import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign, type SynthOptions, type SynthResult } from '../../src/synth/synth-campaign.js';
import { writePositionsFile } from '../../src/formats/positions.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';
import type { StitchedVolume, StitchedVolumeOptions } from '../../src/stitch/stitched-volume.js';
import type { Campaign } from '../../src/campaign/open-campaign.js';

export interface TestCampaign {
  synth: SynthResult;
  campaign: Campaign;
  positionsPath: string;
  volume: StitchedVolume;
}

/** A synthetic campaign with positions.json holding the true positions (registration is not under test here). */
export async function makeCampaign(opts: Partial<SynthOptions> & { seed: number }, volumeOpts: StitchedVolumeOptions = {}): Promise<TestCampaign> {
  const outDir = mkdtempSync(join(tmpdir(), 'sg-stitch-'));
  const synth = await synthCampaign({ tileShape: [16, 24, 24], grid: [2, 2, 2], ...opts, outDir });
  const campaign = await openCampaign(synth.configPath);
  const positionsPath = join(campaign.workdir, 'positions.json');
  const tiles: Record<string, { position: [number, number, number]; group: number }> = {};
  for (const [id, t] of Object.entries(synth.truth.tiles)) tiles[id] = { position: t.position, group: 0 };
  await writePositionsFile(positionsPath, { tiles, residuals: {} });
  const volume = await openStitchedVolume(campaign, positionsPath, volumeOpts);
  return { synth, campaign, positionsPath, volume };
}

import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCampaign } from './helpers.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';
import { storedIntensityModel, INTENSITY_MODEL_FILE } from '../../src/stitch/stored-intensity-model.js';
import { writePositionsFile } from '../../src/formats/positions.js';

describe('stored intensity model', () => {
  it('is estimated once per campaign and positions, then read back without touching the tiles', async () => {
    const { volume, campaign, positionsPath, synth } = await makeCampaign({ seed: 21, gainRange: [0.6, 1.4], noise: 0.02, tileShape: [16, 28, 28], overlap: 0.3 });
    const heard: number[] = [];
    const first = await storedIntensityModel(volume, (n) => heard.push(n));
    expect(first.reused).toBe(false);
    expect(heard).toEqual([volume.overlappingPairs().length]);
    expect(first.model.helps).toBe(true);
    const file = join(campaign.workdir, INTENSITY_MODEL_FILE);
    expect(existsSync(file)).toBe(true);
    const firstKey = JSON.parse(readFileSync(file, 'utf8')).key as string;

    const again = await openStitchedVolume(campaign, positionsPath);
    let tileReads = 0;
    const read = again.readTileBlock.bind(again);
    again.readTileBlock = (...args: Parameters<typeof read>) => {
      tileReads++;
      return read(...args);
    };
    const second = await storedIntensityModel(again, (n) => heard.push(n));
    expect(heard.length).toBe(1);
    expect(second.reused).toBe(true);
    expect(tileReads).toBe(0);
    expect(Array.from(second.model.gain)).toEqual(Array.from(first.model.gain));
    expect(Array.from((await again.intensity()).offset)).toEqual(Array.from(first.model.offset));

    // Other positions: the stored model no longer applies and is replaced.
    const tiles: Record<string, { position: [number, number, number]; group: number }> = {};
    for (const [id, t] of Object.entries(synth.truth.tiles)) tiles[id] = { position: [t.position[0], t.position[1] + 1, t.position[2]], group: 0 };
    await writePositionsFile(positionsPath, { tiles, residuals: {} });
    const moved = await storedIntensityModel(await openStitchedVolume(campaign, positionsPath));
    expect(moved.reused).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).key).not.toBe(firstKey);
  });

  it('treats a torn file as absent', async () => {
    const { volume, campaign } = await makeCampaign({ seed: 3, tileShape: [12, 20, 20], overlap: 0.3 });
    writeFileSync(join(campaign.workdir, INTENSITY_MODEL_FILE), '{"version":1,"key":');
    const r = await storedIntensityModel(volume);
    expect(r.reused).toBe(false);
    expect(JSON.parse(readFileSync(join(campaign.workdir, INTENSITY_MODEL_FILE), 'utf8')).version).toBe(1);
  });
});

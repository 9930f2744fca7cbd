import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTiffCampaign } from '../../src/tiff/import-tiff-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { realMosaic } from '../helpers/shared-data.js';

describe('real 2-D mosaic (multiview-stitcher mosaic_test, two tiles)', () => {
  it('imports the TIFFs and registers the pair within the published truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-real-'));
    // Stage positions from tile_positions_from_czi_metadata_derived.csv: x = 0 and x = 832 px.
    const yaml = await importTiffCampaign({
      tiles: [
        { id: 'tile0', file: join(realMosaic(), 'tile0_derived.tif'), position: [0, 0, 0] },
        { id: 'tile1', file: join(realMosaic(), 'tile1_derived.tif'), position: [0, 0, 832] },
      ],
      outDir: dir,
      name: 'mosaic',
      chunks: [1, 256, 256],
      voxelSize: [1, 1.0833, 1.0833],
    });
    const { pairs } = await registerCampaign(yaml);
    expect(pairs.pairs).toHaveLength(1);
    const p = pairs.pairs[0];
    expect(p.status).toBe('ok');
    // README there: shift(tile0 → tile1) ≈ (y, x) = (−2.3, 832 − 6.9) ± 1.4 px.
    expect(p.shift[0]).toBe(0);
    expect(Math.abs(p.shift[1] - -2.3)).toBeLessThanOrEqual(1.4);
    expect(Math.abs(p.shift[2] - (832 - 6.9))).toBeLessThanOrEqual(1.4);
  });
});

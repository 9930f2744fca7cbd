import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArray, createGroup, writeRegion } from '../../src/zarrio/write-array.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { readTiff16 } from './_helpers.js';

const DATA = '/work/shared/data/real-2d-mosaic';

describe('real 2-D mosaic (multiview-stitcher mosaic_test, two tiles)', () => {
  it('registers the pair within the published truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-real-'));
    const store = join(dir, 'mosaic.zarr');
    await createGroup(store, '/');
    for (const i of [0, 1]) {
      const { data, shape } = readTiff16(join(DATA, `tile${i}_derived.tif`));
      const arr = await createArray(store, `tile${i}`, { shape: [shape[1], shape[2]], chunks: [256, 256], dtype: 'uint16' });
      await writeRegion(arr, [0, 0], [shape[1], shape[2]], data);
    }
    // Stage positions from tile_positions_from_czi_metadata_derived.csv: x = 0 and x = 832 px.
    const yaml = join(dir, 'mosaic.yaml');
    writeFileSync(yaml, 'store: ./mosaic.zarr\nworkdir: ./out\nvoxel_size: [1, 1.0833, 1.0833]\ntiles:\n  - { id: tile0, array: tile0, position: [0, 0, 0] }\n  - { id: tile1, array: tile1, position: [0, 0, 832] }\n');
    const { pairs } = await registerCampaign(yaml);
    expect(pairs.pairs).toHaveLength(1);
    const p = pairs.pairs[0];
    expect(p.status).toBe('ok');
    // README: shift(tile0 → tile1) ≈ (y, x) = (−2.3, 832 − 6.9) ± 1.4 px.
    expect(p.shift[0]).toBe(0);
    expect(Math.abs(p.shift[1] - -2.3)).toBeLessThanOrEqual(1.4);
    expect(Math.abs(p.shift[2] - (832 - 6.9))).toBeLessThanOrEqual(1.4);
  });
});

import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { makeCampaign } from './helpers.js';
import { fuseVolume } from '../../src/stitch/fuse-volume.js';
import { serveVolume } from '../../src/stitch/serve-volume.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { ZarrV2Array } from '../../src/imageio/zarr-v2-array.js';
import type { Vec3 } from '../../src/geometry/box.js';

const asFloat = (b: ArrayBuffer) => new Float32Array(b);

describe('serve from the fused output', () => {
  it('serves the chunks of a matching float32 fused output without composing, and ignores one fused otherwise', async () => {
    const { volume, positionsPath, campaign } = await makeCampaign({ seed: 31, tileShape: [12, 32, 32] });
    const chunk: Vec3 = [4, 8, 8];
    const out = join(campaign.workdir, 'fused.ome.zarr');
    await fuseVolume(volume, new InlineExecutor(), { positions: positionsPath, out, chunk, levels: 3 });
    await volume.intensity();
    const srv = await serveVolume(volume, { port: 0, chunk, levels: 3 });
    try {
      const misses = volume.cache.stats().misses;
      const coarse = asFloat(await (await fetch(`${srv.url}/zarr/2/0/0/0`)).arrayBuffer());
      const full = asFloat(await (await fetch(`${srv.url}/zarr/0/1/1/1`)).arrayBuffer());
      // No tile chunk was read: both came from the fused arrays.
      expect(volume.cache.stats().misses).toBe(misses);
      const want2 = await (await ZarrV2Array.open(join(out, '2'))).readRegion([0, 0, 0], chunk);
      expect(Array.from(coarse)).toEqual(Array.from(want2));
      const e0 = volume.levelExtent(0);
      const view = await volume.getView([e0.lo[0] + 4, e0.lo[1] + 8, e0.lo[2] + 8], chunk);
      expect(Array.from(full)).toEqual(Array.from(view.data));
    } finally {
      await srv.close();
    }
    // Other view options than the fusion's: the chunks are composed (tile chunks read).
    const other = await serveVolume(volume, { port: 0, chunk, levels: 3, blend: 'max' });
    try {
      volume.cache.clear();
      const misses = volume.cache.stats().misses;
      const r = await fetch(`${other.url}/zarr/0/1/1/1`);
      expect(r.status).toBe(200);
      expect(volume.cache.stats().misses).toBeGreaterThan(misses);
    } finally {
      await other.close();
    }
  });

  it('an NGFF 0.5 fused output (Zarr v3 metadata only) is not read as v2: served chunks are composed, and equal getView', async () => {
    const { volume, positionsPath, campaign } = await makeCampaign({ seed: 32, tileShape: [12, 32, 32] });
    const chunk: Vec3 = [4, 8, 8];
    await fuseVolume(volume, new InlineExecutor(), { positions: positionsPath, out: join(campaign.workdir, 'fused.ome.zarr'), chunk, levels: 2, ngff: '0.5' });
    const srv = await serveVolume(volume, { port: 0, chunk, levels: 2 });
    try {
      volume.cache.clear();
      const misses = volume.cache.stats().misses;
      const r = await fetch(`${srv.url}/zarr/0/1/1/1`);
      expect(r.status).toBe(200);
      expect(volume.cache.stats().misses).toBeGreaterThan(misses);
      const e0 = volume.levelExtent(0);
      const view = await volume.getView([e0.lo[0] + 4, e0.lo[1] + 8, e0.lo[2] + 8], chunk);
      expect(Array.from(asFloat(await r.arrayBuffer()))).toEqual(Array.from(view.data));
    } finally {
      await srv.close();
    }
  });
});

import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCampaign } from './helpers.js';
import { fuseVolume } from '../../src/stitch/fuse-volume.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { openFileStore, openTileArray } from '../../src/zarrio/tile-array.js';
import type { Vec3 } from '../../src/geometry/box.js';

const run = promisify(execFile);

describe('fused OME-Zarr metadata: omero display window, NGFF 0.5 on Zarr v3', () => {
  it('NGFF 0.4 (default) carries an omero window from the data that zarr-python reads', async () => {
    const { volume, positionsPath, campaign } = await makeCampaign({ seed: 51 });
    const out = join(campaign.workdir, 'fused.ome.zarr');
    await fuseVolume(volume, new InlineExecutor(), { positions: positionsPath, chunk: [8, 16, 16], levels: 2 });
    const py = "import sys, json, zarr; g = zarr.open_group(sys.argv[1], mode='r'); print(json.dumps(g.attrs['omero']))";
    const { stdout } = await run('/usr/bin/python3', ['-c', py, out]);
    const omero = JSON.parse(stdout) as { channels: { window: { min: number; max: number; start: number; end: number } }[] };
    const w = omero.channels[0].window;
    expect(w.min).toBeLessThanOrEqual(w.start);
    expect(w.start).toBeLessThan(w.end);
    expect(w.end).toBeLessThanOrEqual(w.max);
  });

  it('NGFF 0.5: Zarr v3 metadata over the same chunks, read by a v3 reader (zarrita) equal to getView', async () => {
    const { volume, positionsPath, campaign } = await makeCampaign({ seed: 52 });
    const out = join(campaign.workdir, 'fused05.ome.zarr');
    await fuseVolume(volume, new InlineExecutor(), { out, positions: positionsPath, chunk: [8, 16, 16], levels: 2, ngff: '0.5', blend: 'cosine' });
    expect(existsSync(join(out, '.zattrs'))).toBe(false);
    const group = JSON.parse(readFileSync(join(out, 'zarr.json'), 'utf8')) as { zarr_format: number; node_type: string; attributes: { ome: { version: string; multiscales: { axes: { name: string }[]; datasets: { path: string }[]; version?: string }[]; omero: unknown } } };
    expect([group.zarr_format, group.node_type, group.attributes.ome.version]).toEqual([3, 'group', '0.5']);
    const ms = group.attributes.ome.multiscales[0];
    expect(ms.version).toBeUndefined(); // NGFF 0.5 keeps the version on `ome` only
    expect(ms.axes.map((a) => a.name)).toEqual(['z', 'y', 'x']);
    expect(group.attributes.ome.omero).toBeDefined();
    const store = openFileStore(out);
    for (const [level, d] of ms.datasets.entries()) {
      const arr = await openTileArray(store, d.path);
      expect(arr.zarrVersion).toBe(3);
      const ext = volume.levelExtent(level);
      expect(arr.shape).toEqual(ext.shape);
      const got = (await arr.readRegion({ start: [0, 0, 0], size: arr.shape as Vec3 })).data;
      if (level === 0) {
        const want = (await volume.getView(ext.lo, ext.shape, { blend: 'cosine' })).data;
        let max = 0;
        for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
        expect(max).toBe(0);
      }
    }
    await expect(fuseVolume(volume, new InlineExecutor(), { out: join(campaign.workdir, 'z.ome.zarr'), positions: positionsPath, ngff: '0.5', compressor: 'zlib' })).rejects.toThrow(/NGFF 0\.5: Zarr v3 has no codec for zlib/);
  });
});

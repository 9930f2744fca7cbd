import { describe, it, expect } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ZarrV2Array } from '../../src/imageio/zarr-v2-array.js';
import { join } from 'node:path';
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises';
import { makeCampaign } from './helpers.js';
import { fuseVolume } from '../../src/stitch/fuse-volume.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { writeNpy } from '../../src/imageio/write-npy.js';

const PY = `
import json, sys, numpy as np, zarr
out, ref0, ref1 = sys.argv[1:4]
g = zarr.open_group(out, mode='r')
ms = g.attrs['multiscales'][0]
a0, a1 = g[ms['datasets'][0]['path']], g[ms['datasets'][1]['path']]
r0, r1 = np.load(ref0), np.load(ref1)
print(json.dumps({
  'version': ms['version'], 'axes': [a['name'] for a in ms['axes']], 'units': [a['unit'] for a in ms['axes']],
  'paths': [d['path'] for d in ms['datasets']],
  'scales': [d['coordinateTransformations'][0]['scale'] for d in ms['datasets']],
  'shapes': [list(g[d['path']].shape) for d in ms['datasets']],
  'dtype': str(a0.dtype),
  'max0': float(np.abs(a0[:] - r0).max()), 'max1': float(np.abs(a1[:] - r1).max()),
}))
`;

describe('fuse', () => {
  it('writes a multiscale OME-Zarr that zarr-python reads, equal to getView, and resumes', async () => {
    const { volume, positionsPath, campaign } = await makeCampaign({ seed: 8, voxelSize: [2, 0.5, 0.5], gainRange: [0.8, 1.2] });
    const out = join(campaign.workdir, 'fused.ome.zarr');
    const opts = { positions: positionsPath, chunk: [8, 16, 16] as [number, number, number], levels: 3, blend: 'cosine' as const };
    const res = await fuseVolume(volume, new InlineExecutor(), opts);
    expect(res.levels).toBe(3);
    expect(res.skipped).toBe(0);
    const v0 = await volume.getView(volume.origin, volume.shape, { blend: 'cosine' });
    const e1 = volume.levelExtent(1);
    const v1 = await volume.getView(e1.lo, e1.shape, { blend: 'cosine', level: 1 });
    await writeNpy(join(campaign.workdir, 'ref0.npy'), v0.data, volume.shape, 'float32');
    await writeNpy(join(campaign.workdir, 'ref1.npy'), v1.data, e1.shape, 'float32');
    const check = () => JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, out, join(campaign.workdir, 'ref0.npy'), join(campaign.workdir, 'ref1.npy')], { encoding: 'utf8' })) as Record<string, unknown>;
    const r = check();
    expect(r.version).toBe('0.4');
    expect(r.axes).toEqual(['z', 'y', 'x']);
    expect(r.units).toEqual(['micrometer', 'micrometer', 'micrometer']);
    expect(r.paths).toEqual(['0', '1', '2']);
    expect(r.scales).toEqual([[2, 0.5, 0.5], [4, 1, 1], [8, 2, 2]]);
    expect(r.shapes).toEqual([0, 1, 2].map((l) => volume.levelExtent(l).shape));
    expect(r.dtype).toBe('float32');
    expect(r.max0).toBe(0);
    expect(r.max1).toBeLessThan(1e-2);

    // Rerun: everything is done already.
    const again = await fuseVolume(volume, new InlineExecutor(), opts);
    expect(again.skipped).toBe(again.blocks);
    // Lose the last blocks recorded (as if the run had been killed) and one written chunk: the rerun redoes only those.
    const log = join(out, '.stitchgraph-fuse-done.log');
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    const level0 = lines.filter((l) => l.startsWith('0/'));
    const lost = level0.slice(-3);
    await writeFile(log, lines.filter((l) => !lost.includes(l)).join('\n') + '\n');
    const [, idx] = lost[0].split('/');
    await rm(join(out, '0', ...idx.split('.')), { force: true });
    const resumed = await fuseVolume(volume, new InlineExecutor(), opts);
    expect(resumed.skipped).toBe(resumed.blocks - 3);
    expect(check().max0).toBe(0);

    // A folder this stage did not write is never deleted.
    const foreign = join(campaign.workdir, 'precious');
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, 'data.txt'), 'keep me');
    await expect(fuseVolume(volume, new InlineExecutor(), { ...opts, out: foreign })).rejects.toThrow(/Cannot fuse into .*not a stitchgraph fusion output/);
    expect(await readFile(join(foreign, 'data.txt'), 'utf8')).toBe('keep me');
  });

  it('`stitchgraph fuse` writes workdir/fused.ome.zarr through the campaign executor', async () => {
    const { volume, synth, campaign } = await makeCampaign({ seed: 15, tileShape: [10, 20, 20] });
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'fuse', synth.configPath, '--levels', '2', '--chunk', '8,16,16', '--dtype', 'tile', '--log-level', 'warn']);
    const out = join(campaign.workdir, 'fused.ome.zarr');
    const a0 = await ZarrV2Array.open(join(out, '0'));
    expect(a0.meta.dtype).toBe('uint16');
    expect(a0.meta.shape).toEqual(volume.shape);
    const got = await a0.readRegion([0, 0, 0], volume.shape);
    const want = await volume.getView(volume.origin, volume.shape, { dtype: 'tile' });
    expect(Array.from(got)).toEqual(Array.from(want.data));
    expect((await ZarrV2Array.open(join(out, '1'))).meta.shape).toEqual(volume.levelExtent(1).shape);
  });

  it('every fused level equals getView of that level (float32, blosc chunks, jobs spanning several chunks)', async () => {
    const { volume, positionsPath, campaign } = await makeCampaign({ seed: 23, tileShape: [12, 40, 40] });
    const out = join(campaign.workdir, 'levels.ome.zarr');
    const res = await fuseVolume(volume, new InlineExecutor(), { positions: positionsPath, out, chunk: [4, 16, 16], levels: 4 });
    expect(res.levels).toBe(4);
    for (let l = 0; l < 4; l++) {
      const arr = await ZarrV2Array.open(join(out, String(l)));
      expect(arr.compressor).toBe('blosc');
      const e = volume.levelExtent(l);
      const got = await arr.readRegion([0, 0, 0], e.shape);
      const want = await volume.getView(e.lo, e.shape, { level: l });
      let worst = 0;
      for (let o = 0; o < got.length; o++) worst = Math.max(worst, Math.abs(got[o] - want.data[o]));
      // Level 0 bit for bit; above it, means of the same float32 voxels summed in another order.
      expect(worst, `level ${l}`).toBeLessThanOrEqual(l === 0 ? 0 : 1e-3);
    }
  });
});

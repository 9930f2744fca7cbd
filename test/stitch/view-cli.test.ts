import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { makeCampaign } from './helpers.js';
import { openCampaign } from '../../src/index.js';
import { writeNpy } from '../../src/imageio/write-npy.js';

const run = promisify(execFile);

// Reads each output back with the established readers (tifffile, PIL-free PNG check via zlib, numpy, zarr).
const PY = `
import sys, json, zlib, struct, numpy as np, tifffile, zarr
d = sys.argv[1]
ref = np.load(d + '/ref.npy')
out = {}
out['npy'] = float(np.abs(np.load(d + '/v.npy') - ref).max())
t = tifffile.imread(d + '/v.tif')
out['tif_shape'] = list(t.shape); out['tif'] = float(np.abs(t - ref).max())
with tifffile.TiffFile(d + '/v.tif') as tf:
    xr = tf.pages[0].tags['XResolution'].value
    out['tif_cal'] = [tf.imagej_metadata['unit'], tf.imagej_metadata['spacing'], xr[1] / xr[0]]
z = zarr.open_array(d + '/v.zarr', mode='r')
out['zarr'] = float(np.abs(z[:] - ref).max())
png = open(d + '/v.png', 'rb').read()
w, h = struct.unpack('>II', png[16:24])
out['png'] = [w, h, png[:8] == b'\\x89PNG\\r\\n\\x1a\\n']
print(json.dumps(out))
`;

describe('stitchgraph view and the library contract', () => {
  it('campaign.getView uses positions.json, falls back to nominal positions without it', async () => {
    const { synth, volume, positionsPath } = await makeCampaign({ seed: 12 });
    const campaign = await openCampaign(synth.configPath);
    const pos = volume.tiles[3].position.map(Math.round) as [number, number, number];
    const v = await campaign.getView(pos, [4, 5, 6], { blend: 'linear' });
    expect(v.data).toBeInstanceOf(Float32Array);
    expect(v.shape).toEqual([4, 5, 6]);
    expect(Array.from(v.data)).toEqual(Array.from((await volume.getView(pos, [4, 5, 6], { blend: 'linear' })).data));
    await rm(positionsPath);
    const nominal = await openCampaign(synth.configPath);
    expect((await nominal.stitchedVolume()).tiles.map((t) => t.position)).toEqual(nominal.tiles.map((t) => t.nominal));
  });

  it('writes .npy, .tif, .zarr and .png that numpy, tifffile and zarr-python read back', async () => {
    const { synth, volume, campaign } = await makeCampaign({ seed: 13 });
    const dir = campaign.workdir;
    const pos = volume.origin.map((o, a) => o + Math.floor(volume.shape[a] / 3)) as [number, number, number];
    const size: [number, number, number] = [3, 20, 25];
    const ref = await volume.getView(pos, size, { blend: 'cosine' });
    await writeNpy(join(dir, 'ref.npy'), ref.data, size, 'float32');
    const cli = ['--import', 'tsx', 'src/cli/main.ts', 'view', synth.configPath, '--pos', pos.join(','), '--blend', 'cosine', '--log-level', 'warn'];
    await Promise.all(
      ['npy', 'tif', 'zarr'].map((ext) => run(process.execPath, [...cli, '--size', size.join(','), '--out', join(dir, `v.${ext}`)])),
    );
    await run(process.execPath, [...cli, '--size', `1,${size[1]},${size[2]}`, '--out', join(dir, 'v.png')]);
    const bad = await run(process.execPath, [...cli, '--size', '2,3,3', '--out', join(dir, 'bad.png')]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/Cannot write .*a \.png holds one plane/);
    const { stdout } = await run('/usr/bin/python3', ['-c', PY, dir]);
    const r = JSON.parse(stdout) as Record<string, unknown>;
    expect(r.npy).toBe(0);
    expect(r.tif_shape).toEqual(size);
    expect(r.tif).toBe(0);
    // Fiji opens the stack at the campaign's voxel size (ImageJ metadata: unit, z spacing, x resolution).
    const cal = r.tif_cal as [string, number, number];
    expect(cal[0]).toBe('micron');
    expect(cal[1]).toBeCloseTo(campaign.voxelSize[0], 6);
    expect(cal[2]).toBeCloseTo(campaign.voxelSize[2], 5);
    expect(r.zarr).toBe(0);
    expect(r.png).toEqual([size[2], size[1], true]);
  });
});

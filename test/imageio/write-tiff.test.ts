import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTiffStack } from '../../src/imageio/write-tiff.js';

const run = promisify(execFile);

// tifffile is what Python users (and napari) open TIFFs with; Fiji reads the same ImageJ tags.
const PY = `
import sys, json, tifffile
with tifffile.TiffFile(sys.argv[1]) as t:
    p = t.pages[0]
    xr = p.tags['XResolution'].value; yr = p.tags['YResolution'].value
    print(json.dumps({
        'shape': list(t.asarray().shape), 'data': t.asarray().ravel().tolist(),
        'imagej': t.is_imagej, 'meta': t.imagej_metadata,
        'x_px_per_unit': xr[0] / xr[1], 'y_px_per_unit': yr[0] / yr[1],
    }))
`;

describe('writeTiffStack', () => {
  it('writes ImageJ calibration (voxel size in µm, spacing, origin) that tifffile reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-tiff-'));
    const path = join(dir, 'cal.tif');
    const data = new Uint16Array(3 * 4 * 5).map((_, i) => i * 7);
    await writeTiffStack(path, data, [3, 4, 5], 'uint16', { voxelSize_um: [2, 0.65, 0.5], origin_um: [4, 1.3, 0] });
    const { stdout } = await run('/usr/bin/python3', ['-c', PY, path]);
    const r = JSON.parse(stdout) as { shape: number[]; data: number[]; imagej: boolean; meta: Record<string, unknown>; x_px_per_unit: number; y_px_per_unit: number };
    expect(r.shape).toEqual([3, 4, 5]);
    expect(r.data).toEqual(Array.from(data));
    expect(r.imagej).toBe(true);
    expect(r.meta.unit).toBe('micron');
    expect(r.meta.spacing).toBeCloseTo(2, 9);
    expect(r.meta.slices).toBe(3);
    expect(r.meta.zorigin).toBeCloseTo(-2, 9);
    expect(r.meta.yorigin).toBeCloseTo(-2, 9);
    expect(r.x_px_per_unit).toBeCloseTo(1 / 0.5, 5);
    expect(r.y_px_per_unit).toBeCloseTo(1 / 0.65, 5);
  });

  it('writes a plain stack without calibration, float32 kept exactly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-tiff-'));
    const path = join(dir, 'plain.tif');
    const data = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i / 3);
    await writeTiffStack(path, data, [2, 3, 3], 'float32');
    const { stdout } = await run('/usr/bin/python3', ['-c', PY.replace("xr = p.tags['XResolution'].value; yr = p.tags['YResolution'].value", 'xr = yr = (1, 1)'), path]);
    const r = JSON.parse(stdout) as { shape: number[]; data: number[]; imagej: boolean };
    expect(r.shape).toEqual([2, 3, 3]);
    expect(r.data).toEqual(Array.from(data));
    expect(r.imagej).toBe(false);
  });
});

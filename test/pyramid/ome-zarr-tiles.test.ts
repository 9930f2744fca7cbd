import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { buildPyramids } from '../../src/pyramid/build-pyramids.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { createArray, createGroup, writeRegion } from '../../src/zarrio/write-array.js';

/** zarr-python 2 (Debian's): tile `a` as an OME-Zarr 0.4 multiscale image (3 levels, subsampled in y/x), tile `b` a plain array. */
const WRITE_OME = `
import sys, numpy as np, zarr
root = zarr.open_group(sys.argv[1], mode='w')
rng = np.random.default_rng(4)
a0 = rng.integers(0, 4000, size=(12, 64, 48), dtype=np.uint16)
g = root.create_group('tiles/a')
levels = [a0, a0[:, ::2, ::2], a0[:, ::4, ::4]]
for i, lv in enumerate(levels):
    g.create_dataset(str(i), data=lv, chunks=(6, 16, 16))
g.attrs['multiscales'] = [{
  'version': '0.4', 'name': 'a',
  'axes': [{'name': n, 'type': 'space', 'unit': 'micrometer'} for n in 'zyx'],
  'datasets': [{'path': str(i), 'coordinateTransformations': [{'type': 'scale', 'scale': [2.0, 0.5 * 2**i, 0.5 * 2**i]}]} for i in range(3)],
}]
root.create_dataset('tiles/b', data=rng.integers(0, 4000, size=(12, 64, 48), dtype=np.uint16), chunks=(6, 16, 16))
`;

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.push(`${p} ${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

describe('tiles that are OME-Zarr multiscale images', () => {
  it('uses a pyramid written by zarr-python (Zarr v2, NGFF 0.4) as it is, without rebuilding or writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-ome-'));
    const store = join(dir, 'src.zarr');
    execFileSync('/usr/bin/python3', ['-c', WRITE_OME, store]);
    writeFileSync(
      join(dir, 'c.yaml'),
      ['store: src.zarr', 'workdir: work', 'voxel_size: [2, 0.5, 0.5]', 'tiles:', '  - { id: a, array: tiles/a, position: [0, 0, 0] }', '  - { id: b, array: tiles/b, position: [0, 0, 40] }', 'pyramid: { min_size: 8, chunk: [6, 16, 16] }', ''].join('\n'),
    );
    const campaign = await openCampaign(join(dir, 'c.yaml'));
    const a = campaign.tileById.get('a');
    expect(a?.array).toBe('tiles/a/0');
    expect(a?.shape).toEqual([12, 64, 48]);
    expect(a?.multiscales?.datasets.map((d) => d.path)).toEqual(['tiles/a/0', 'tiles/a/1', 'tiles/a/2']);

    const before = snapshot(store);
    const res = await buildPyramids(campaign, new InlineExecutor());
    expect(snapshot(store)).toEqual(before);
    expect(res.tiles.find((t) => t.id === 'a')?.status).toBe('own multiscales');
    expect(res.tiles.find((t) => t.id === 'b')?.status).toBe('built');
    expect(existsSync(join(res.store, 'a'))).toBe(false);
    expect(existsSync(join(res.store, 'b', '1', '.zarray'))).toBe(true);

    const pa = await openTilePyramid(campaign, 'a');
    expect(pa.levels.map((l) => l.factors)).toEqual([[1, 1, 1], [1, 2, 2], [1, 4, 4]]);
    expect(pa.levels.map((l) => l.shape)).toEqual([[12, 64, 48], [12, 32, 24], [12, 16, 12]]);
    const l0 = await pa.levels[0].array.readRegion({ start: [0, 0, 0], size: [12, 64, 48] });
    const l2 = await pa.levels[2].array.readRegion({ start: [0, 0, 0], size: [12, 16, 12] });
    // zarr-python's level 2 is a[:, ::4, ::4]: read back as written, not recomputed.
    for (let z = 0; z < 12; z++) for (let y = 0; y < 16; y++) for (let x = 0; x < 12; x++) expect(l2.data[(z * 16 + y) * 12 + x]).toBe(l0.data[(z * 64 + y * 4) * 48 + x * 4]);

    // Built pyramids of the plain tile read back too; a second build writes nothing anywhere.
    const pb = await openTilePyramid(campaign, 'b');
    expect(pb.levels.map((l) => l.factors)).toEqual([[1, 1, 1], [1, 2, 2], [1, 4, 4], [2, 8, 8]]);
    const derived = snapshot(res.store);
    const again = await buildPyramids(campaign, new InlineExecutor());
    expect(again.computed).toBe(0);
    expect(snapshot(res.store)).toEqual(derived);
    expect(snapshot(store)).toEqual(before);
  });

  it('reads an NGFF 0.5 image on Zarr v3 (attributes.ome.multiscales) too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-ome-v3-'));
    const store = join(dir, 'v3.zarr');
    await createGroup(store, '');
    await createGroup(store, 'img', {
      ome: { version: '0.5', multiscales: [{ axes: ['z', 'y', 'x'].map((name) => ({ name, type: 'space' })), datasets: [0, 1].map((i) => ({ path: `s${i}`, coordinateTransformations: [{ type: 'scale', scale: [1, 2 ** i, 2 ** i] }] })) }] },
    });
    const full = Uint16Array.from({ length: 4 * 32 * 32 }, (_, i) => i % 500);
    const half = Uint16Array.from({ length: 4 * 16 * 16 }, (_, i) => 7 + (i % 3));
    for (const [path, shape, data] of [['img/s0', [4, 32, 32], full], ['img/s1', [4, 16, 16], half]] as const) {
      const arr = await createArray(store, path, { shape: [...shape], chunks: [4, 16, 16], dtype: 'uint16' });
      await writeRegion(arr, [0, 0, 0], [...shape], data);
    }
    writeFileSync(join(dir, 'c.yaml'), ['store: v3.zarr', 'workdir: work', 'tiles:', '  - { id: img, array: img, position: [0, 0, 0] }', 'pyramid: { min_size: 4 }', ''].join('\n'));
    const campaign = await openCampaign(join(dir, 'c.yaml'));
    const p = await openTilePyramid(campaign, 'img');
    expect(p.levels.map((l) => [l.factors, l.shape])).toEqual([[[1, 1, 1], [4, 32, 32]], [[1, 2, 2], [4, 16, 16]]]);
    expect(Array.from((await p.levels[1].array.readRegion({ start: [0, 0, 0], size: [1, 1, 3] })).data)).toEqual([7, 8, 9]);
    const res = await buildPyramids(campaign, new InlineExecutor());
    expect(res.tiles[0].status).toBe('own multiscales');
    expect(res.computed).toBe(0);
  });

  it('refuses a pyramid store inside the tile store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-ome-'));
    execFileSync('/usr/bin/python3', ['-c', WRITE_OME, join(dir, 'src.zarr')]);
    writeFileSync(join(dir, 'c.yaml'), ['store: src.zarr', 'workdir: work', 'tiles:', '  - { id: b, array: tiles/b, position: [0, 0, 0] }', 'pyramid: { store: src.zarr/pyramids, min_size: 8 }', ''].join('\n'));
    const campaign = await openCampaign(join(dir, 'c.yaml'));
    await expect(buildPyramids(campaign, new InlineExecutor())).rejects.toThrow(/Cannot build pyramids in .*src\.zarr\/pyramids: it lies inside the tile store/);
  });
});

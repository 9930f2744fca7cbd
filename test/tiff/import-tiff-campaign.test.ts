import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { importTiffCampaign } from '../../src/tiff/import-tiff-campaign.js';
import { readTileList } from '../../src/tiff/read-tile-list.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { isStitchgraphError } from '../../src/errors.js';
import { pattern, tempDir } from '../zarrio/_helpers.js';
import { realMosaic } from '../helpers/shared-data.js';

const FIX = fileURLToPath(new URL('../fixtures/tiff/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as { files: Record<string, { shape: number[]; dtype: string; sha256: string; sum?: number }> };

const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

describe('importTiffCampaign', () => {
  it('imports the real 2-D mosaic from a CSV tile list: openCampaign sees the tiles, pixels equal tifffile', async () => {
    const dir = tempDir();
    const csv = join(dir, 'tiles.csv');
    const REAL = realMosaic();
    writeFileSync(csv, `# stage positions from ${REAL}/tile_positions_from_czi_metadata_derived.csv\nid,file,z,y,x\ntile0,${REAL}/tile0_derived.tif,0,0,0\ntile1,${REAL}/tile1_derived.tif,0,0,832\n`);
    const yaml = await importTiffCampaign({ tiles: await readTileList(csv), outDir: join(dir, 'out'), name: 'mosaic', chunks: [1, 256, 256], voxelSize: [1, 1.0833, 1.0833] });
    expect(yaml).toBe(join(dir, 'out', 'mosaic.yaml'));
    const c = await openCampaign(yaml);
    expect(c.tiles.map((t) => [t.id, t.shape, t.dtype, t.nominal])).toEqual([
      ['tile0', [1, 624, 924], 'uint16', [0, 0, 0]],
      ['tile1', [1, 624, 924], 'uint16', [0, 0, 832]],
    ]);
    expect(c.voxelSize).toEqual([1, 1.0833, 1.0833]);
    for (const id of ['tile0', 'tile1']) {
      const t = await c.openTile(id);
      expect(t.zarrVersion).toBe(3);
      const r = await t.readRegion({ start: [0, 0, 0], size: t.shape });
      const e = expected.files[`real-2d-mosaic/${id}_derived.tif`];
      expect(sha(r.data)).toBe(e.sha256);
      let sum = 0;
      for (const v of r.data) sum += v;
      expect(sum).toBe(e.sum);
    }
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['mosaic.yaml', 'mosaic.zarr']);
  });

  it('imports 3-D stacks of each dtype, files and slice folders, with chunking', async () => {
    const dir = tempDir();
    const tiles = [
      { id: 'u16', file: join(FIX, 'u16_deflate_pred.tif'), position: [0, 0, 0] as [number, number, number] },
      { id: 'slices', file: join(FIX, 'slices'), position: [0, 0, 15] as [number, number, number] },
      { id: 'u8', file: join(FIX, 'u8_none.tif'), position: [0, 10, 0] as [number, number, number] },
      { id: 'i16', file: join(FIX, 'i16_deflate.tif'), position: [2, 0, 0] as [number, number, number] },
      { id: 'f32', file: join(FIX, 'f32_none.tif'), position: [2, 10, 15] as [number, number, number] },
    ];
    const yaml = await importTiffCampaign({ tiles, outDir: dir, chunks: [2, 5, 8], compressor: 'zstd' });
    const c = await openCampaign(yaml);
    expect(c.name).toBe('imported');
    const dtypes = { u16: 'uint16', slices: 'uint16', u8: 'uint8', i16: 'int16', f32: 'float32' } as const;
    for (const t of c.tiles) {
      const dtype = dtypes[t.id as keyof typeof dtypes];
      expect(t.dtype).toBe(dtype);
      const arr = await c.openTile(t.id);
      expect(arr.chunks).toEqual([2, 5, 8]);
      const r = await arr.readRegion({ start: [0, 0, 0], size: t.shape });
      const want = pattern(dtype, r.data.length);
      expect(Array.from(r.data)).toEqual(dtype === 'float32' ? Array.from(Float32Array.from(want)) : want);
    }
    expect(c.tileById.get('slices')?.shape).toEqual([3, 12, 17]);
  });

  it('fails before writing anything: missing file, unsupported TIFF, duplicate ids, existing output', async () => {
    const dir = tempDir();
    const ok = { id: 'a', file: join(FIX, 'u16_bigtiff.tif'), position: [0, 0, 0] as [number, number, number] };
    const cases: [string, Parameters<typeof importTiffCampaign>[0]['tiles'], RegExp, string][] = [
      ['missing', [ok, { ...ok, id: 'b', file: join(dir, 'nope.tif') }], /nope\.tif: no such file/, 'InputError'],
      ['rgb', [ok, { ...ok, id: 'b', file: join(FIX, 'rgb.tif') }], /rgb\.tif.*samples per pixel/, 'UnsupportedDtype'],
      ['dup', [ok, ok], /duplicate tile id "a"/, 'InputError'],
    ];
    for (const [name, tiles, msg, tag] of cases) {
      const err = await importTiffCampaign({ tiles, outDir: join(dir, name) }).catch((e: unknown) => e);
      expect(isStitchgraphError(err), name).toBe(true);
      expect((err as Error).message).toMatch(msg);
      expect((err as { _tag: string })._tag).toBe(tag);
      expect(existsSync(join(dir, name)) ? readdirSync(join(dir, name)) : []).toEqual([]);
    }
    const out = join(dir, 'twice');
    await importTiffCampaign({ tiles: [ok], outDir: out });
    await expect(importTiffCampaign({ tiles: [ok], outDir: out })).rejects.toThrow(/already exists/);
    await importTiffCampaign({ tiles: [{ ...ok, file: join(FIX, 'u8_none.tif') }], outDir: out, overwrite: true });
    expect((await openCampaign(join(out, 'imported.yaml'))).tiles[0].dtype).toBe('uint8');
    expect(readdirSync(out).sort()).toEqual(['imported.yaml', 'imported.zarr']);
  });
});

describe('readTileList', () => {
  it('reads id,file,z,y,x with files relative to the CSV; z and id optional', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), 'file,y,x\nsub/one.tif,5,-3.5\n\n# comment\ntwo.TIFF,0,10\n');
    expect(await readTileList(join(dir, 'a.csv'))).toEqual([
      { id: 'one', file: join(dir, 'sub/one.tif'), position: [0, 5, -3.5] },
      { id: 'two', file: join(dir, 'two.TIFF'), position: [0, 0, 10] },
    ]);
  });
  it('names the file, line and problem', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b.csv'), 'id,file,y\na,a.tif,1\n');
    await expect(readTileList(join(dir, 'b.csv'))).rejects.toThrow(/b\.csv line 1: no "x" column/);
    writeFileSync(join(dir, 'c.csv'), 'id,file,y,x\na,a.tif,1,zz\n');
    await expect(readTileList(join(dir, 'c.csv'))).rejects.toThrow(/c\.csv line 2: x "zz" is not a number/);
    await expect(readTileList(join(dir, 'none.csv'))).rejects.toThrow(/none\.csv: no such file/);
  });
});

describe('stitchgraph import (CLI)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--log-level', 'silent', 'import', ...args], { cwd: ROOT, encoding: 'utf8' });

  it('imports a grid of files and prints the YAML path; a missing file exits non-zero with one line, writing nothing', async () => {
    const dir = tempDir();
    const yaml = join(dir, 'g.yaml');
    const files = ['u16_bigtiff.tif', 'u16_deflate_pred.tif'].map((f) => join(FIX, f));
    const ok = cli([yaml, '--grid', '1,1,2', '--overlap', '0.25', '--chunks', '1,8,8', ...files]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe(yaml);
    const c = await openCampaign(yaml);
    expect(c.tiles.map((t) => [t.id, t.nominal])).toEqual([
      ['t_0_0_0', [0, 0, 0]],
      ['t_0_0_1', [0, 0, 13]], // round(17 × 0.75)
    ]);
    const bad = join(dir, 'bad');
    const res = cli([join(bad, 'b.yaml'), '--grid', '1,1,2', files[0], join(dir, 'missing.tif')]);
    expect(res.status).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/missing\.tif: no such file/);
    expect(existsSync(bad) ? readdirSync(bad) : []).toEqual([]);
    const rgb = cli([join(bad, 'c.yaml'), '--grid', '1,1,2', files[0], join(FIX, 'rgb.tif')]);
    expect(rgb.status).not.toBe(0);
    expect(rgb.stderr).toMatch(/^stitchgraph: Cannot read TIFF .*rgb\.tif: .*3 samples per pixel/);
    expect(existsSync(bad) ? readdirSync(bad) : []).toEqual([]);
  }, 30_000);
});

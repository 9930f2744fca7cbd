import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createArray, writeRegion, type Compressor } from '../../src/zarrio/write-array.js';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import { ChunkCache } from '../../src/zarrio/chunk-cache.js';
import { TYPED_ARRAY_OF, type TileDtype } from '../../src/zarrio/dtypes.js';
import { isStitchgraphError } from '../../src/errors.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { tempDir, countingStore, pattern } from './_helpers.js';

const SHAPE: Vec3 = [5, 13, 11];
const CHUNKS: Vec3 = [2, 4, 4];

async function writeTile(dir: string, path: string, dtype: TileDtype, compressor: Compressor, shape: number[] = SHAPE, chunks: number[] = CHUNKS) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new TYPED_ARRAY_OF[dtype](n);
  data.set(pattern(dtype, n));
  const arr = await createArray(dir, path, { shape, chunks, dtype, compressor });
  await writeRegion(arr, shape.map(() => 0), shape, data);
  return data;
}

describe('round trips (v3 written here, read back identical)', () => {
  const dtypes: TileDtype[] = ['uint8', 'uint16', 'int16', 'float32', 'uint32', 'float64'];
  const compressors: Compressor[] = ['zstd', 'blosc-zstd', 'blosc-lz4', 'gzip', 'none'];
  it.each(dtypes.flatMap((d) => compressors.map((c) => [d, c] as const)))('%s with %s', async (dtype, compressor) => {
    const dir = tempDir();
    const data = await writeTile(dir, 'tiles/a', dtype, compressor);
    const t = await openTileArray(openFileStore(dir), 'tiles/a', '', { cache: null });
    expect(t.zarrVersion).toBe(3);
    expect(t.dtype).toBe(dtype);
    expect(t.shape).toEqual(SHAPE);
    const r = await t.readRegion({ start: [0, 0, 0], size: SHAPE });
    expect(r.data.constructor).toBe(data.constructor);
    expect(Array.from(r.data)).toEqual(Array.from(data));
  });

  it('blosc chunks really are shuffled (the v3 string spelling reaches numcodecs.js)', async () => {
    const dir = tempDir();
    // A smooth uint16 ramp: byte shuffle makes it far more compressible than no shuffle.
    const shape = [1, 64, 64];
    const data = new Uint16Array(64 * 64).map((_, i) => 1000 + i);
    for (const c of ['blosc-zstd', 'none'] as const) {
      const arr = await createArray(dir, c, { shape, chunks: shape, dtype: 'uint16', compressor: c });
      await writeRegion(arr, [0, 0, 0], shape, data);
    }
    const blosc = readFileSync(join(dir, 'blosc-zstd/c/0/0/0'));
    expect(blosc[2] & 0x01).toBe(1); // blosc header flags: byte-shuffle bit
    expect(blosc.length).toBeLessThan(readFileSync(join(dir, 'none/c/0/0/0')).length / 4);
  });

  it('2-D arrays are one-plane tiles', async () => {
    const dir = tempDir();
    const data = await writeTile(dir, 'p', 'uint16', 'zstd', [13, 11], [4, 4]);
    const t = await openTileArray(openFileStore(dir), 'p', '', { cache: null });
    expect(t.shape).toEqual([1, 13, 11]);
    expect(t.chunks).toEqual([1, 4, 4]);
    const r = await t.readRegion({ start: [0, 3, 2], size: [1, 5, 6] });
    const want: number[] = [];
    for (let y = 3; y < 8; y++) for (let x = 2; x < 8; x++) want.push(data[y * 11 + x]);
    expect(Array.from(r.data)).toEqual(want);
  });
});

describe('region reads', () => {
  it('match the same box cut from the whole array, and touch only the chunks they need', async () => {
    const dir = tempDir();
    const data = await writeTile(dir, 'tiles/a', 'uint16', 'blosc-zstd');
    const { store, gets } = countingStore(dir);
    const t = await openTileArray(store, 'tiles/a', '', { cache: null });
    gets.length = 0;
    // z 1..2 (chunk 0,1), y 5..8 (chunk 1,2), x 4..7 (chunk 1): 2*2*1 chunks
    const box = { start: [1, 5, 4] as Vec3, size: [2, 4, 4] as Vec3 };
    const r = await t.readRegion(box);
    const want: number[] = [];
    for (let z = 1; z < 3; z++) for (let y = 5; y < 9; y++) for (let x = 4; x < 8; x++) want.push(data[(z * 13 + y) * 11 + x]);
    expect(Array.from(r.data)).toEqual(want);
    expect(r.shape).toEqual([2, 4, 4]);
    expect(gets.sort()).toEqual(['/tiles/a/c/0/1/1', '/tiles/a/c/0/2/1', '/tiles/a/c/1/1/1', '/tiles/a/c/1/2/1']);
  });

  it('reject boxes outside the tile, naming the array', async () => {
    const dir = tempDir();
    await writeTile(dir, 'tiles/a', 'uint8', 'zstd');
    const t = await openTileArray(openFileStore(dir), 'tiles/a', 'store.zarr');
    await expect(t.readRegion({ start: [0, 0, 8], size: [1, 1, 4] })).rejects.toThrow(/store\.zarr\/tiles\/a.*outside/);
  });

  it('block-average downsampling: mean of each block, partial edge blocks over what exists', async () => {
    const dir = tempDir();
    const data = await writeTile(dir, 'tiles/a', 'uint16', 'zstd');
    const t = await openTileArray(openFileStore(dir), 'tiles/a', '', { cache: null });
    const box = { start: [1, 2, 1] as Vec3, size: [4, 11, 10] as Vec3 };
    const f: Vec3 = [2, 3, 4];
    const r = await t.readRegion(box, { downsample: f });
    expect(r.shape).toEqual([2, 4, 3]);
    expect(r.data).toBeInstanceOf(Float32Array);
    // Reference: plain loops over the full-resolution array.
    const want: number[] = [];
    for (let oz = 0; oz < 2; oz++)
      for (let oy = 0; oy < 4; oy++)
        for (let ox = 0; ox < 3; ox++) {
          let s = 0;
          let n = 0;
          for (let z = oz * 2; z < Math.min(oz * 2 + 2, 4); z++)
            for (let y = oy * 3; y < Math.min(oy * 3 + 3, 11); y++)
              for (let x = ox * 4; x < Math.min(ox * 4 + 4, 10); x++) {
                s += data[((z + 1) * 13 + y + 2) * 11 + x + 1];
                n++;
              }
          want.push(s / n);
        }
    r.data.forEach((v, i) => expect(v).toBeCloseTo(want[i], 2));
    await expect(t.readRegion(box, { downsample: [0, 1, 1] })).rejects.toThrow(/downsample/);
  });
});

describe('chunk cache', () => {
  it('concurrent overlapping reads decode each chunk once; a second read hits the cache', async () => {
    const dir = tempDir();
    await writeTile(dir, 'tiles/a', 'int16', 'blosc-lz4');
    const { store, gets } = countingStore(dir);
    const cache = new ChunkCache({ maxBytes: 1 << 20 });
    const t = await openTileArray(store, 'tiles/a', '', { cache });
    gets.length = 0;
    const box = { start: [0, 0, 0] as Vec3, size: SHAPE };
    const [a, b] = await Promise.all([t.readRegion(box), t.readRegion(box)]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const nChunks = 3 * 4 * 3;
    expect(gets.length).toBe(nChunks);
    expect(cache.size).toBe(nChunks);
    await t.readRegion({ start: [2, 2, 2], size: [2, 2, 2] });
    expect(gets.length).toBe(nChunks);
  });

  it('stays under its byte bound, evicting the least recently used', async () => {
    const c = new ChunkCache({ maxBytes: 3000 });
    const chunk = () => Promise.resolve({ data: new Uint8Array(1000), shape: [1000], stride: [1] });
    await c.getOrLoad('a', chunk);
    await c.getOrLoad('b', chunk);
    await c.getOrLoad('c', chunk);
    await c.getOrLoad('a', chunk); // a is now the most recent
    await c.getOrLoad('d', chunk); // evicts b
    expect(c.bytes).toBeLessThanOrEqual(3000);
    let loaded = false;
    await c.getOrLoad('b', () => ((loaded = true), chunk()));
    expect(loaded).toBe(true);
    loaded = false;
    await c.getOrLoad('d', () => ((loaded = true), chunk()));
    expect(loaded).toBe(false);
  });

  it('does not remember failures', async () => {
    const c = new ChunkCache();
    await expect(c.getOrLoad('x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const ok = await c.getOrLoad('x', () => Promise.resolve({ data: new Uint8Array(1), shape: [1], stride: [1] }));
    expect(ok.data.length).toBe(1);
  });
});

describe('errors name the array and what is wrong', () => {
  async function openErr(dir: string, path: string) {
    try {
      await openTileArray(openFileStore(dir), path, 'S.zarr');
    } catch (err) {
      return err;
    }
    throw new Error('expected an error');
  }
  function writeJson(dir: string, path: string, name: string, value: unknown) {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, name), JSON.stringify(value));
  }
  const v3meta = (over: Record<string, unknown>) => ({
    zarr_format: 3,
    node_type: 'array',
    shape: [4, 4, 4],
    data_type: 'uint16',
    chunk_grid: { name: 'regular', configuration: { chunk_shape: [2, 2, 2] } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    fill_value: 0,
    codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
    attributes: {},
    ...over,
  });

  it('missing array → TileNotFound', async () => {
    const err = await openErr(tempDir(), 'tiles/nope');
    expect(isStitchgraphError(err, 'TileNotFound')).toBe(true);
    expect(String(err)).toMatch(/S\.zarr\/tiles\/nope/);
  });

  it('a group, not an array → TileNotFound', async () => {
    const dir = tempDir();
    writeJson(dir, 'g', 'zarr.json', { zarr_format: 3, node_type: 'group', attributes: {} });
    const err = await openErr(dir, 'g');
    expect(isStitchgraphError(err, 'TileNotFound')).toBe(true);
    expect(String(err)).toMatch(/group/);
  });

  it('4-D array → ArrayShapeError', async () => {
    const dir = tempDir();
    await createArray(dir, 'four', { shape: [2, 2, 2, 2], chunks: [1, 2, 2, 2], dtype: 'uint8' });
    const err = await openErr(dir, 'four');
    expect(isStitchgraphError(err, 'ArrayShapeError')).toBe(true);
    expect(String(err)).toMatch(/S\.zarr\/four.*4 dimensions/);
  });

  it('unsupported dtype (v3 and v2) → UnsupportedDtype', async () => {
    const dir = tempDir();
    writeJson(dir, 'c', 'zarr.json', v3meta({ data_type: 'complex64' }));
    writeJson(dir, 'v2', '.zarray', { zarr_format: 2, shape: [4, 4], chunks: [2, 2], dtype: '<c8', compressor: null, filters: null, fill_value: 0, order: 'C' });
    for (const p of ['c', 'v2']) {
      const err = await openErr(dir, p);
      expect(isStitchgraphError(err, 'UnsupportedDtype')).toBe(true);
      expect(String(err)).toMatch(new RegExp(`S\\.zarr/${p}.*(complex64|<c8)`));
    }
  });

  it('unsupported codec (v3 and v2) → UnsupportedCodec', async () => {
    const dir = tempDir();
    writeJson(dir, 'c', 'zarr.json', v3meta({ codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'jpeg2k' }] }));
    writeJson(dir, 'v2', '.zarray', { zarr_format: 2, shape: [4, 4], chunks: [2, 2], dtype: '<u2', compressor: { id: 'bz2', level: 1 }, filters: null, fill_value: 0, order: 'C' });
    for (const [p, codec] of [['c', 'jpeg2k'], ['v2', 'bz2']]) {
      const err = await openErr(dir, p);
      expect(isStitchgraphError(err, 'UnsupportedCodec')).toBe(true);
      expect(String(err)).toMatch(new RegExp(`S\\.zarr/${p}.*${codec}`));
    }
  });

  it('a corrupt chunk → ChunkDecodeError naming the chunk key', async () => {
    const dir = tempDir();
    await writeTile(dir, 'tiles/a', 'uint16', 'zstd');
    writeFileSync(join(dir, 'tiles/a/c/1/0/0'), Buffer.from('not zstd at all'));
    const t = await openTileArray(openFileStore(dir), 'tiles/a', 'S.zarr', { cache: null });
    const ok = await t.readRegion({ start: [0, 0, 0], size: [2, 4, 4] });
    expect(ok.data.length).toBe(32);
    const err = await t.readRegion({ start: [2, 0, 0], size: [1, 1, 1] }).catch((e: unknown) => e);
    expect(isStitchgraphError(err, 'ChunkDecodeError')).toBe(true);
    expect(String(err)).toMatch(/S\.zarr\/tiles\/a.*c\/1\/0\/0/);
  });
});

describe('decode pool (worker threads)', () => {
  it('decodes large blosc and zstd chunks off the main thread to the same values', async () => {
    const { configureDecodePool } = await import('../../src/zarrio/decode-pool.js');
    const dir = tempDir();
    // Incompressible values so chunks stay above the pool's size threshold.
    const shape = [2, 128, 128];
    let seed = 12345;
    const data = new Uint16Array(2 * 128 * 128).map(() => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed & 0xffff;
    });
    // For lz4, the last quarter zeros: the frame then holds lz4 streams (all-incompressible data
    // is stored memcpyed, which fast-blosc reads whatever the codec) and stays > 32 KiB.
    const dataLz4 = data.map((v, i) => (i < (3 * data.length) / 4 ? v : 0));
    const values = (c: string) => (c === 'blosc-lz4' ? dataLz4 : data);
    for (const c of ['blosc-zstd', 'zstd', 'blosc-lz4'] as const) {
      const arr = await createArray(dir, c, { shape, chunks: shape, dtype: 'uint16', compressor: c });
      await writeRegion(arr, [0, 0, 0], shape, values(c));
    }
    const pool = configureDecodePool(2);
    try {
      for (const c of ['blosc-zstd', 'zstd', 'blosc-lz4']) {
        const t = await openTileArray(openFileStore(dir), c, '', { cache: null });
        const r = await t.readRegion({ start: [0, 0, 0], size: [2, 128, 128] });
        expect(Array.from(r.data)).toEqual(Array.from(values(c)));
      }
      const lz4 = readFileSync(join(dir, 'blosc-lz4/c/0/0/0'));
      expect([lz4[2] & 0x02, lz4[2] >> 5, lz4.length > 32 * 1024]).toEqual([0, 1, true]); // not memcpyed, lz4, pooled
      expect(pool?.decoded).toBe(3);
      // zstd and blosc-zstd went through fast-zstd / fast-blosc inside the worker (tsx loads them
      // under vitest); blosc with lz4 inside fell back to numcodecs.js there.
      expect(pool?.decodedFast).toBe(2);
    } finally {
      configureDecodePool(0);
    }
  });
});

describe('decode pool default', () => {
  it('uses every core (at most 8) from a main thread, none from worker threads or on one core; the env variable overrides', async () => {
    const { defaultDecodeThreads } = await import('../../src/zarrio/decode-pool.js');
    expect(defaultDecodeThreads({}, true, 2)).toBe(2);
    expect(defaultDecodeThreads({}, true, 32)).toBe(8);
    expect(defaultDecodeThreads({}, false, 2)).toBe(0);
    expect(defaultDecodeThreads({}, true, 1)).toBe(0);
    expect(defaultDecodeThreads({ STITCHGRAPH_DECODE_THREADS: '0' }, true, 2)).toBe(0);
    expect(defaultDecodeThreads({ STITCHGRAPH_DECODE_THREADS: '3' }, false, 2)).toBe(3);
    expect(defaultDecodeThreads({ STITCHGRAPH_DECODE_THREADS: 'x' }, true, 4)).toBe(4);
  });
});

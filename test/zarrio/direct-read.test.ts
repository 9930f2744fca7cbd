import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import FileSystemStore from '@zarrita/storage/fs';
import type { AbsolutePath } from '@zarrita/storage';
import { join } from 'node:path';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import { ChunkCache } from '../../src/zarrio/chunk-cache.js';
import { configureDecodePool, DecodePool } from '../../src/zarrio/decode-pool.js';
import { createArray, writeRegion } from '../../src/zarrio/write-array.js';
import { isStitchgraphError } from '../../src/errors.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';
import { tempDir } from './_helpers.js';

// Region reads of plain blosc/zstd arrays through the decode pool without a chunk cache, where the
// workers decode the chunks of each chunk-grid row (only the blosc blocks the region needs) and
// assemble them into strips of the region's width: the same values as the ordinary path (zarrita's
// pipeline, which a chunk cache keeps using), for arrays zarr-python wrote (several blosc blocks per
// chunk, byte and bit shuffle, edge chunks, a chunk never written) and arrays stitchgraph wrote (v3).

const SHAPE: Vec3 = [20, 150, 300];
const MAKE = String.raw`
import sys, numpy as np, zarr, numcodecs
out = sys.argv[1]
z, y, x = np.meshgrid(np.arange(20), np.arange(150), np.arange(300), indexing='ij')
data = ((z * 977 + y * 31 + x * 7) % 4099 + (x * y) % 13).astype('<u2')
data.tofile(out + '/truth.u2')
for name, shuffle in [('byte', numcodecs.Blosc.SHUFFLE), ('bit', numcodecs.Blosc.BITSHUFFLE)]:
    # 16 KiB blosc blocks: one plane of a 8x64x128 chunk per block, 8 blocks per chunk.
    a = zarr.open(out + '/' + name, mode='w', shape=data.shape, chunks=(8, 64, 128), dtype='<u2', fill_value=7,
                  compressor=numcodecs.Blosc(cname='zstd', clevel=3, shuffle=shuffle, blocksize=16384))
    a[:] = data
# Deep chunks (32 planes): strips are cut along z and read only their blocks of each chunk file;
# blocks of one plane, and blocks of three planes that straddle the cuts.
for name, shuffle, bs in [('deep', numcodecs.Blosc.SHUFFLE, 16384), ('deep3', numcodecs.Blosc.BITSHUFFLE, 49152)]:
    a = zarr.open(out + '/' + name, mode='w', shape=data.shape, chunks=(32, 64, 128), dtype='<u2', fill_value=7,
                  compressor=numcodecs.Blosc(cname='zstd', clevel=3, shuffle=shuffle, blocksize=bs))
    a[:] = data
for name, comp in [('deeplz4', numcodecs.Blosc(cname='lz4', clevel=3, shuffle=1, blocksize=16384)), ('deepzstd', numcodecs.Zstd(level=3))]:
    a = zarr.open(out + '/' + name, mode='w', shape=data.shape, chunks=(32, 64, 128), dtype='<u2', fill_value=7, compressor=comp)
    a[:] = data
# Random bytes do not compress: c-blosc stores such chunks memcpyed (the whole frame raw).
noise = np.random.default_rng(5).integers(0, 65536, size=data.shape, dtype='<u2')
noise.tofile(out + '/noise.u2')
a = zarr.open(out + '/noise', mode='w', shape=data.shape, chunks=(8, 64, 128), dtype='<u2', compressor=numcodecs.Blosc(cname='zstd', clevel=1, shuffle=0))
a[:] = noise
a = zarr.open(out + '/lz4', mode='w', shape=data.shape, chunks=(8, 64, 128), dtype='<u2', fill_value=7, compressor=numcodecs.Blosc(cname='lz4', clevel=3, shuffle=1, blocksize=16384))
a[:] = data
a = zarr.open(out + '/zstd', mode='w', shape=data.shape, chunks=(8, 64, 128), dtype='<u2', fill_value=7, compressor=numcodecs.Zstd(level=3))
a[:] = data
p = zarr.open(out + '/plane', mode='w', shape=(150, 300), chunks=(128, 256), dtype='<u2', compressor=numcodecs.Blosc(cname='zstd', clevel=3, shuffle=1, blocksize=4096))
p[:] = data[3]
`;

/** A file store that wraps its reads (counts them): the strip path must still ask it. */
class CountingFileStore extends FileSystemStore {
  gets = 0;
  override async get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    this.gets++;
    return super.get(key);
  }
}

let dir: string;
let truth: Uint16Array;
let pool: DecodePool | null;

const at = (z: number, y: number, x: number): number => truth[(z * SHAPE[1] + y) * SHAPE[2] + x];

function expected(box: Box3, missing?: { origin: Vec3; chunk: Vec3; fill: number }): number[] {
  const out: number[] = [];
  for (let z = 0; z < box.size[0]; z++)
    for (let y = 0; y < box.size[1]; y++)
      for (let x = 0; x < box.size[2]; x++) {
        const p: Vec3 = [box.start[0] + z, box.start[1] + y, box.start[2] + x];
        const gone = missing && p.every((v, a) => v >= missing.origin[a] && v < missing.origin[a] + missing.chunk[a]);
        out.push(gone ? missing.fill : at(p[0], p[1], p[2]));
      }
  return out;
}

const BOXES: Box3[] = [
  { start: [0, 0, 0], size: [...SHAPE] },
  { start: [5, 10, 100], size: [9, 120, 150] },
  { start: [3, 63, 127], size: [2, 3, 3] },
  { start: [17, 140, 290], size: [3, 10, 10] },
];

beforeAll(() => {
  dir = tempDir('sg-direct-');
  execFileSync('/usr/bin/python3', ['-c', MAKE, dir]);
  truth = new Uint16Array(readFileSync(join(dir, 'truth.u2')).buffer.slice(0));
  pool = configureDecodePool(2);
});

afterAll(() => {
  configureDecodePool(0);
});

describe('region reads decoded and placed by the pool workers', () => {
  for (const name of ['byte', 'bit', 'zstd', 'lz4']) {
    const what = name === 'zstd' ? 'zstd' : name === 'lz4' ? 'blosc-lz4 (decoded by numcodecs.js inside the strip)' : `blosc-zstd, ${name} shuffle`;
    it(`${what} (zarr-python): every box, with and without a chunk cache`, async () => {
      for (const cache of [null, new ChunkCache({ maxBytes: 64 << 20 })]) {
        const t = await openTileArray(openFileStore(dir), name, '', { cache });
        for (const [i, box] of BOXES.entries()) {
          const strips = pool!.strips;
          const r = await t.readRegion(box);
          expect(Array.from(r.data), `${name} [${box.start}]+[${box.size}] cache ${cache ? 'on' : 'off'}`).toEqual(expected(box));
          // Strips without a cache when the box spans chunks; the ordinary path otherwise.
          expect(pool!.strips > strips, `box ${i} cache ${cache ? 'on' : 'off'}`).toBe(!cache && i < 3);
        }
        if (cache) {
          // Chunks went through the cache: a second read decodes nothing.
          const decoded = pool!.decoded;
          const r = await t.readRegion(BOXES[1]);
          expect(Array.from(r.data)).toEqual(expected(BOXES[1]));
          expect(pool!.decoded).toBe(decoded);
        }
      }
    });
  }

  it('cuts strips of deep chunks along z and reads only the blocks each cut needs', async () => {
    for (const name of ['deep', 'deep3']) {
      const t = await openTileArray(openFileStore(dir), name, '', { cache: null });
      for (const box of BOXES.slice(0, 3)) {
        const strips = pool!.strips;
        expect(Array.from((await t.readRegion(box)).data), `${name} [${box.start}]+[${box.size}]`).toEqual(expected(box));
        // The whole array: 3 chunk rows (y) of one 32-plane chunk layer, cut at planes 8 and 16.
        if (box.size[0] === SHAPE[0]) expect(pool!.strips - strips).toBe(9);
      }
    }
    // Not cut where a cut would read or decode whole chunks again: blosc-lz4 and zstd (decoded
    // whole), and stores other than a plain file store (asked once per chunk).
    const whole: Box3 = { start: [0, 0, 0], size: [...SHAPE] };
    for (const name of ['deeplz4', 'deepzstd']) {
      const t = await openTileArray(openFileStore(dir), name, '', { cache: null });
      const [strips, decoded] = [pool!.strips, pool!.decoded];
      expect(Array.from((await t.readRegion(whole)).data), name).toEqual(expected(whole));
      expect([pool!.strips - strips, pool!.decoded - decoded], name).toEqual([3, 9]);
    }
    const counting = new CountingFileStore(dir);
    const t = await openTileArray(counting, 'deep', '', { cache: null });
    const gets = counting.gets;
    expect(Array.from((await t.readRegion(whole)).data)).toEqual(expected(whole));
    expect(counting.gets - gets).toBe(9);
  });

  it('a worker whose memory grows after its first strips still hands them over whole', async () => {
    const own = configureDecodePool(1);
    try {
      const t = await openTileArray(openFileStore(dir), 'deep', '', { cache: null });
      // Small strips first, then ever larger ones: the worker's memory grows between them.
      for (const box of [BOXES[2], BOXES[1], BOXES[0]]) expect(Array.from((await t.readRegion(box)).data)).toEqual(expected(box));
      expect(own!.strips).toBeGreaterThan(3);
    } finally {
      pool = configureDecodePool(2);
    }
  });

  it('places memcpyed blosc frames (incompressible chunks) the same way', async () => {
    const noise = new Uint16Array(readFileSync(join(dir, 'noise.u2')).buffer.slice(0));
    const frame = readFileSync(join(dir, 'noise', '0.0.0'));
    expect(frame[2] & 0x02, 'the fixture holds memcpyed frames').toBe(0x02);
    const t = await openTileArray(openFileStore(dir), 'noise', '', { cache: null });
    for (const box of BOXES.slice(0, 3)) {
      const want: number[] = [];
      for (let z = 0; z < box.size[0]; z++)
        for (let y = 0; y < box.size[1]; y++)
          for (let x = 0; x < box.size[2]; x++) want.push(noise[((box.start[0] + z) * SHAPE[1] + box.start[1] + y) * SHAPE[2] + box.start[2] + x]);
      expect(Array.from((await t.readRegion(box)).data)).toEqual(want);
    }
  });

  it('assembles strips with numcodecs.js alone too (STITCHGRAPH_DECODER=numcodecs)', async () => {
    process.env.STITCHGRAPH_DECODER = 'numcodecs';
    // Workers read the environment when they start.
    pool = configureDecodePool(2);
    try {
      const t = await openTileArray(openFileStore(dir), 'byte', '', { cache: null });
      const strips = pool!.strips;
      expect(Array.from((await t.readRegion(BOXES[1])).data)).toEqual(expected(BOXES[1]));
      expect(pool!.strips).toBeGreaterThan(strips);
      expect(pool!.decodedFast).toBe(0);
    } finally {
      delete process.env.STITCHGRAPH_DECODER;
      pool = configureDecodePool(2);
    }
  });

  it('reads twice from a store that keeps the bytes it returns (a Map cache): nothing is taken from it', async () => {
    const files = openFileStore(dir);
    const kept = new Map<string, Uint8Array | undefined>();
    const store = {
      async get(key: `/${string}`): Promise<Uint8Array | undefined> {
        if (!kept.has(key)) kept.set(key, await files.get(key));
        return kept.get(key);
      },
    };
    const t = await openTileArray(store, 'byte', '', { cache: null });
    for (let i = 0; i < 2; i++) expect(Array.from((await t.readRegion(BOXES[1])).data)).toEqual(expected(BOXES[1]));
    expect([...kept.values()].every((b) => !b || b.byteLength > 0)).toBe(true);
  });

  it('workers read the chunk files of a plain file store themselves; a store that wraps its reads is still asked', async () => {
    const counting = new CountingFileStore(dir);
    const t = await openTileArray(counting, 'bit', '', { cache: null });
    const gets = counting.gets;
    expect(Array.from((await t.readRegion(BOXES[1])).data)).toEqual(expected(BOXES[1]));
    // The box [5, 10, 100]+[9, 120, 150] in 8×64×128 chunks: 2 × 3 × 2 chunks, all read through the store.
    expect(counting.gets - gets).toBe(12);
    // An unreadable chunk file (a folder in its place) fails the read, naming the chunk and the file.
    const odd = tempDir('sg-direct-odd-');
    execFileSync('cp', ['-r', join(dir, 'bit'), join(odd, 'bit')]);
    rmSync(join(odd, 'bit', '0.1.1'));
    mkdirSync(join(odd, 'bit', '0.1.1'));
    const u = await openTileArray(openFileStore(odd), 'bit', '', { cache: null });
    const err = await u.readRegion(BOXES[1]).then(() => null, (e: unknown) => e);
    expect(isStitchgraphError(err, 'ChunkDecodeError'), String(err)).toBe(true);
    expect(String(err)).toMatch(/\(0, 1, 1\)[\s\S]*bit\/0\.1\.1/);
  });

  it('a strip whose consumer throws still hands its slot back: the worker goes on with later strips', async () => {
    const own = new DecodePool(1);
    try {
      const files = [0, 1, 2].map((x) => join(dir, 'bit', `0.0.${x}`));
      const job = { bytesPerElement: 2, start: [0, 0, 0] as Vec3, size: [8, 64, 300] as Vec3, chunk: [8, 64, 128] as Vec3, origins: [[0, 0, 0], [0, 0, 128], [0, 0, 256]] as Vec3[] };
      const config = { id: 'blosc', cname: 'zstd', clevel: 3, shuffle: 2, blocksize: 16384 };
      await expect(own.decodeStrip('blosc', config, { files }, job, () => {
        throw new Error('consumer failed');
      })).rejects.toThrow('consumer failed');
      // Both slots cycle several times: a slot never handed back would stall the worker here.
      for (let i = 0; i < 4; i++) {
        let got: number[] = [];
        await own.decodeStrip('blosc', config, { files }, job, (strip) => {
          got = Array.from(new Uint16Array(strip.slice().buffer));
        });
        expect(got).toEqual(expected({ start: [0, 0, 0], size: [8, 64, 300] }));
      }
    } finally {
      await own.close();
    }
  });

  it('a pool replaced while it decodes finishes the decode (the old pool stops afterwards)', async () => {
    const t = await openTileArray(openFileStore(dir), 'bit', '', { cache: null });
    const reading = t.readRegion(BOXES[0]);
    pool = configureDecodePool(2);
    expect(Array.from((await reading).data)).toEqual(expected(BOXES[0]));
  });

  it('a blosc chunk whose header claims another size is an error on both paths, not stale voxels', async () => {
    const bad = tempDir('sg-direct-bad-');
    execFileSync('cp', ['-r', join(dir, 'byte'), join(bad, 'byte')]);
    const file = join(bad, 'byte', '0.0.1');
    const frame = readFileSync(file);
    frame.writeInt32LE(65536, 4); // nbytes: a quarter of the chunk
    writeFileSync(file, frame);
    for (const cache of [null, new ChunkCache({ maxBytes: 1 << 20 })]) {
      const t = await openTileArray(openFileStore(bad), 'byte', '', { cache });
      let err: unknown;
      try {
        await t.readRegion(BOXES[0]);
      } catch (e) {
        err = e;
      }
      expect(isStitchgraphError(err, 'ChunkDecodeError'), `cache ${cache ? 'on' : 'off'}: ${String(err)}`).toBe(true);
    }
  });

  it('keeps memory flat over many reads (no per-read buffers left behind)', async () => {
    const t = await openTileArray(openFileStore(dir), 'bit', '', { cache: null });
    const box: Box3 = { start: [0, 0, 0], size: [...SHAPE] };
    await t.readRegion(box);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 40; i++) await t.readRegion(box);
    // 40 reads of 1.8 MB each: growth well under what keeping them would cost.
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1.8e6);
  });

  it('reads a chunk that was never written as the fill value', async () => {
    const gone: Vec3 = [1, 1, 0];
    rmSync(join(dir, 'byte', gone.join('.')));
    const t = await openTileArray(openFileStore(dir), 'byte', '', { cache: null });
    const missing = { origin: [8, 64, 0] as Vec3, chunk: [8, 64, 128] as Vec3, fill: 7 };
    for (const box of BOXES.slice(0, 2)) expect(Array.from((await t.readRegion(box)).data)).toEqual(expected(box, missing));
  });

  it('reads 2-D arrays (one plane) the same way', async () => {
    const t = await openTileArray(openFileStore(dir), 'plane', '', { cache: null });
    const box: Box3 = { start: [0, 20, 50], size: [1, 120, 240] };
    const strips = pool!.strips;
    const r = await t.readRegion(box);
    expect(pool!.strips).toBeGreaterThan(strips);
    expect(Array.from(r.data)).toEqual(expected({ start: [3, 20, 50], size: [1, 120, 240] }));
  });

  it('leaves arrays of small chunks (under 64 KiB decoded) to the ordinary path', async () => {
    const small = tempDir('sg-direct-small-');
    const arr = await createArray(small, 's', { shape: [4, 64, 64], chunks: [2, 32, 32], dtype: 'uint16', compressor: 'zstd' });
    const data = new Uint16Array(4 * 64 * 64).map((_, i) => i);
    await writeRegion(arr, [0, 0, 0], [4, 64, 64], data);
    const t = await openTileArray(openFileStore(small), 's', '', { cache: null });
    const strips = pool!.strips;
    const r = await t.readRegion({ start: [0, 0, 0], size: [4, 64, 64] });
    expect(pool!.strips).toBe(strips);
    expect(Array.from(r.data)).toEqual(Array.from(data));
  });

  it('reads arrays stitchgraph wrote (Zarr v3, blosc-zstd and zstd) and names the chunk that fails', async () => {
    const v3 = tempDir('sg-direct-v3-');
    const shape: Vec3 = [16, 96, 200];
    const data = new Uint16Array(shape[0] * shape[1] * shape[2]).map((_, i) => (i * 2654435761) >>> 20);
    for (const c of ['blosc-zstd', 'zstd'] as const) {
      const arr = await createArray(v3, c, { shape, chunks: [8, 64, 128], dtype: 'uint16', compressor: c });
      await writeRegion(arr, [0, 0, 0], shape, data);
      const t = await openTileArray(openFileStore(v3), c, '', { cache: null });
      const strips = pool!.strips;
      const r = await t.readRegion({ start: [0, 0, 0], size: shape });
      expect(pool!.strips).toBeGreaterThan(strips);
      expect(Buffer.from(new Uint8Array(r.data.buffer)).equals(Buffer.from(data.buffer))).toBe(true);
    }
    // A damaged chunk: the error names the array and the chunk.
    const file = join(v3, 'blosc-zstd/c/1/1/0');
    const bytes = readFileSync(file);
    bytes.fill(0x55, 40, bytes.length - 8);
    writeFileSync(file, bytes);
    const t = await openTileArray(openFileStore(v3), 'blosc-zstd', '', { cache: null });
    let err: unknown;
    try {
      await t.readRegion({ start: [0, 0, 0], size: shape });
    } catch (e) {
      err = e;
    }
    expect(isStitchgraphError(err, 'ChunkDecodeError')).toBe(true);
    expect(String(err)).toMatch(/blosc-zstd.*\(1, 1, 0\)/);
    // Reads afterwards still work (the worker that failed is not left half-way).
    const z = await openTileArray(openFileStore(v3), 'zstd', '', { cache: null });
    expect((await z.readRegion({ start: [0, 0, 0], size: shape })).data[12345]).toBe(data[12345]);
  });

  it('reads into an array the caller gives, overwriting all of it, on both paths', async () => {
    for (const cache of [null, new ChunkCache({ maxBytes: 1 << 24 })]) {
      const t = await openTileArray(openFileStore(dir), 'deep', '', { cache });
      const [a, b] = [BOXES[0], BOXES[1]];
      const buf = new Uint16Array(a.size[0] * a.size[1] * a.size[2]).fill(12345);
      const r = await t.readRegion(a, { into: buf });
      expect(r.data).toBe(buf);
      expect(Array.from(buf)).toEqual(expected(a));
      // The wrong type or size: a clear error, before any read.
      const err = await t.readRegion(b, { into: buf }).catch((e: unknown) => e);
      expect(isStitchgraphError(err) && err.message).toMatch(/^Cannot read .* into the array given: it must be a uint16 array of \d+ voxels/);
      await expect(t.readRegion(a, { into: new Float32Array(buf.length) })).rejects.toThrow(/must be a uint16 array/);
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import FileSystemStore from '@zarrita/storage/fs';
import { makeCampaign, type TestCampaign } from './helpers.js';
import { serveVolume, type VolumeServer } from '../../src/stitch/serve-volume.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';
import type { StitchedVolume, TileLevel } from '../../src/stitch/stitched-volume.js';
import { createArray, writeRegion } from '../../src/zarrio/write-array.js';
import { openTileArray, type Readable } from '../../src/zarrio/tile-array.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** A file store that counts the chunk reads under each array path. */
class CountingStore extends FileSystemStore {
  reads = new Map<string, number>();
  override async get(key: `/${string}`): Promise<Uint8Array | undefined> {
    if (!/(zarr\.json|\.zarray|\.zattrs|\.zgroup)$/.test(key)) {
      const array = key.split('/c/')[0];
      this.reads.set(array, (this.reads.get(array) ?? 0) + 1);
    }
    return super.get(key);
  }
  count(match: (array: string) => boolean): number {
    return [...this.reads].filter(([a]) => match(a)).reduce((s, [, n]) => s + n, 0);
  }
}

/**
 * Tile pyramids as src/pyramid writes them (level k voxel j = mean of level-0 voxels
 * [j·2^k, (j+1)·2^k), float32), next to the campaign; read back through a counting store.
 */
async function buildTilePyramids(c: TestCampaign, levels: number, step: Vec3 = [2, 2, 2]): Promise<{ store: CountingStore; tileLevels: (id: string) => Promise<TileLevel[]> }> {
  const root = join(c.campaign.workdir, `test-pyramids-${step.join('')}.zarr`);
  const factorsOf = (k: number) => step.map((s) => s ** k) as Vec3;
  for (const t of c.campaign.tiles) {
    const src = await c.campaign.openTile(t.id);
    for (let k = 1; k < levels; k++) {
      const f = factorsOf(k);
      const shape = t.shape.map((s, a) => Math.ceil(s / f[a])) as Vec3;
      const mean = await src.readRegion({ start: [0, 0, 0], size: t.shape }, { downsample: f, cache: null });
      const arr = await createArray(root, `${t.id}/${k}`, { shape, chunks: [4, 8, 8], dtype: 'float32', compressor: 'zstd' });
      await writeRegion(arr, [0, 0, 0], shape, mean.data);
    }
  }
  const store = new CountingStore(root);
  const tileLevels = async (id: string): Promise<TileLevel[]> => {
    const info = c.campaign.tileById.get(id);
    if (!info) throw new Error(`no tile ${id}`);
    const out: TileLevel[] = [{ factors: [1, 1, 1], shape: info.shape, array: await c.campaign.openTile(id) }];
    for (let k = 1; k < levels; k++) {
      const array = await openTileArray(store as unknown as Readable, `${id}/${k}`, 'pyramids');
      out.push({ factors: factorsOf(k), shape: array.shape, array });
    }
    return out;
  };
  return { store, tileLevels };
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve: pyramid levels and HTTP for viewers on other origins', () => {
  let c: TestCampaign;
  let volume: StitchedVolume;
  let store: CountingStore;
  let srv: VolumeServer;
  const chunk: Vec3 = [4, 8, 8];
  beforeAll(async () => {
    c = await makeCampaign({ seed: 21, tileShape: [16, 32, 32] });
    const p = await buildTilePyramids(c, 3);
    store = p.store;
    volume = await openStitchedVolume(c.campaign, c.positionsPath, { tileLevels: p.tileLevels });
    srv = await serveVolume(volume, { port: 0, chunk, levels: 3 });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('a coarse chunk is composed from the tiles’ pyramid level only (chunk reads counted), equal to getView of that level', async () => {
    const e = volume.levelExtent(2);
    // The intensity model is estimated once per volume, from small boxes of the overlaps at full resolution.
    await volume.intensity();
    volume.cache.clear();
    store.reads.clear();
    const misses = volume.cache.stats().misses;
    const r = await get(`${srv.url}/zarr/2/0/0/0`);
    expect(r.status).toBe(200);
    const served = new Float32Array(r.body.buffer.slice(r.body.byteOffset, r.body.byteOffset + r.body.byteLength));
    const level2Reads = store.count((a) => a.endsWith('/2'));
    const chunkReads = volume.cache.stats().misses - misses;
    expect(level2Reads).toBeGreaterThan(0);
    // Every chunk decoded for the request is a level-2 pyramid chunk: no level-0 or level-1 read.
    expect(store.count((a) => !a.endsWith('/2'))).toBe(0);
    expect(chunkReads).toBe(level2Reads);
    const size = chunk.map((s, a) => Math.min(s, e.shape[a])) as Vec3;
    const view = await volume.getView(e.lo, chunk, { level: 2 });
    const [, h, w] = chunk;
    for (let z = 0; z < size[0]; z++)
      for (let y = 0; y < size[1]; y++)
        for (let x = 0; x < size[2]; x++) expect(served[(z * h + y) * w + x]).toBe(view.data[(z * h + y) * w + x]);
  });

  it('a view of level k from the tiles’ level k is close to the mean of the composed level 0', async () => {
    const plain = await openStitchedVolume(c.campaign, c.positionsPath);
    const e = volume.levelExtent(1);
    const a = await volume.getView(e.lo, e.shape, { level: 1, intensityCorrection: false });
    const b = await plain.getView(e.lo, e.shape, { level: 1, intensityCorrection: false });
    let diff = 0, lo = Infinity, hi = -Infinity;
    for (let o = 0; o < a.data.length; o++) {
      diff += Math.abs(a.data[o] - b.data[o]);
      lo = Math.min(lo, b.data[o]);
      hi = Math.max(hi, b.data[o]);
    }
    expect(diff / a.data.length).toBeLessThan(0.05 * (hi - lo));
  });

  it('a level whose factors the tiles lack is the mean of a finer tile level that divides them', async () => {
    // Tile levels of factors [1, 2, 2] only (z kept, as pyramids of anisotropic tiles do): level 1 ([2, 2, 2]) is
    // composed at [1, 2, 2] and averaged over pairs of planes; no level-0 chunk is read.
    const only = await buildTilePyramids(c, 2, [1, 2, 2]);
    const v = await openStitchedVolume(c.campaign, c.positionsPath, { tileLevels: only.tileLevels });
    await v.intensity();
    const misses = v.cache.stats().misses;
    const e = v.levelExtent(1);
    const view = await v.getView(e.lo, e.shape, { level: 1 });
    expect(only.store.count(() => true)).toBeGreaterThan(0);
    expect(v.cache.stats().misses - misses).toBe(only.store.count(() => true));
    const plain = await openStitchedVolume(c.campaign, c.positionsPath);
    const ref = await plain.getView(e.lo, e.shape, { level: 1 });
    let diff = 0, lo = Infinity, hi = -Infinity;
    for (let o = 0; o < view.data.length; o++) {
      diff += Math.abs(view.data[o] - ref.data[o]);
      lo = Math.min(lo, ref.data[o]);
      hi = Math.max(hi, ref.data[o]);
    }
    expect(diff / view.data.length).toBeLessThan(0.05 * (hi - lo));
  });

  it('answers CORS preflight, byte ranges and gzip', async () => {
    const pre = await get(`${srv.url}/zarr/0/0/0/0`, { origin: 'http://viewer.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('GET');
    expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('range');

    const whole = await get(`${srv.url}/zarr/0/0/0/0`);
    expect(whole.status).toBe(200);
    expect(Number(whole.headers['content-length'])).toBe(whole.body.byteLength);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const part = await get(`${srv.url}/zarr/0/0/0/0`, { range: 'bytes=100-355' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-355/${whole.body.byteLength}`);
    expect(Number(part.headers['content-length'])).toBe(256);
    expect(part.body.equals(whole.body.subarray(100, 356))).toBe(true);
    const tail = await get(`${srv.url}/zarr/0/0/0/0`, { range: 'bytes=-16' });
    expect(tail.body.equals(whole.body.subarray(whole.body.byteLength - 16))).toBe(true);
    expect((await get(`${srv.url}/zarr/0/0/0/0`, { range: `bytes=${whole.body.byteLength}-` })).status).toBe(416);

    const zipped = await get(`${srv.url}/zarr/0/0/0/0`, { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.byteLength);
    expect(gunzipSync(zipped.body).equals(whole.body)).toBe(true);
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Vec3 } from '../geometry/box.js';
import type { StitchedVolume, ViewOptions } from './stitched-volume.js';
import { multiscalesMetadata } from './ome-zarr-metadata.js';
import { zarrayDocument, encodeChunk } from '../imageio/zarr-v2-array.js';
import { contrastScale, encodePngGray8 } from '../imageio/write-png.js';
import { LruCache } from '../cache/lru-cache.js';
import { getLogger } from '../log.js';
import { httpBody } from './_http-body.js';
import { fusedSource } from './_fused-source.js';
import { storedIntensityModel } from './stored-intensity-model.js';
import { FUSE_COMPLETE_MARKER, PARAMS_FILE } from './fuse-volume.js';
import { join } from 'node:path';

export interface ServeOptions extends Omit<ViewOptions, 'level' | 'dtype'> {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8080 */
  port?: number;
  /** Chunk shape of the virtual arrays. @default fusion.chunk */
  chunk?: Vec3;
  /** Pyramid levels offered. @default until (y, x) fit one chunk, at most 8 */
  levels?: number;
  /** Bytes of computed chunks and slices kept. @default 256 MiB */
  cacheBytes?: number;
  /**
   * A fused OME-Zarr to serve chunks from instead of composing them, used only when it is complete
   * and was fused from this very volume with the same options, chunk shape and float32 voxels;
   * null: always compose. @default `<workdir>/fused.ome.zarr`
   */
  fused?: string | null;
}

export interface VolumeServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

class NotFound extends Error {}
/** A malformed request (a parameter that is not a number, an unknown axis): 400. */
class BadRequest extends Error {}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'Range, Accept-Encoding, Content-Type',
  'access-control-expose-headers': 'Content-Length, Content-Range, Content-Encoding, Accept-Ranges',
};

/**
 * Serve a stitched volume over HTTP: `/zarr/` is a read-only virtual OME-Zarr (Zarr v2, NGFF 0.4,
 * float32, uncompressed) whose chunks getView computes on demand; `/` a page with three
 * orthogonal slices; `/api/info` and `/api/slice.png` feed the page. Anything else, and chunks
 * outside the arrays, is 404; a failing view is a 500 for that request only.
 */
export async function serveVolume(volume: StitchedVolume, opts: ServeOptions = {}): Promise<VolumeServer> {
  const log = getLogger();
  const viewOpts = volume.resolveViewOptions({ ...opts, level: 0, dtype: 'float32' });
  const chunk = (opts.chunk ?? volume.campaign.config.fusion.chunk).map((c, a) => Math.min(c, volume.shape[a])) as Vec3;
  let levels = opts.levels ?? 1;
  if (opts.levels === undefined) {
    while (levels < 8) {
      const s = volume.levelExtent(levels - 1).shape;
      if (s[1] <= chunk[1] && s[2] <= chunk[2]) break;
      levels++;
    }
  }
  const extents = Array.from({ length: levels }, (_, l) => volume.levelExtent(l));
  const cacheBytes = opts.cacheBytes ?? 256 * 2 ** 20;
  const chunkCache = new LruCache<Float32Array>(cacheBytes, (v) => v.byteLength);
  const sliceCache = new LruCache<Uint8Array>(cacheBytes / 8, (v) => v.byteLength);
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const defaultLevel = extents.findIndex((e) => Math.max(e.shape[1], e.shape[2]) <= 512);

  const staticDocs = new Map<string, { type: string; body: Uint8Array }>([
    ['/zarr/.zgroup', { type: 'application/json', body: json({ zarr_format: 2 }) }],
    ['/zarr/.zattrs', { type: 'application/json', body: json(multiscalesMetadata(volume, levels, volume.campaign.name, { stitchgraph: { virtual: true, blend: viewOpts.blend, origin: volume.origin } })) }],
    ['/api/info', { type: 'application/json', body: json({ name: volume.campaign.name, origin: volume.origin, shape: volume.shape, voxelSize: volume.campaign.voxelSize, tiles: volume.tiles.length, chunk, levels: extents.map((e) => ({ lo: e.lo, shape: e.shape })), defaultLevel: defaultLevel < 0 ? levels - 1 : defaultLevel }) }],
  ]);
  for (let l = 0; l < levels; l++) {
    staticDocs.set(`/zarr/${l}/.zarray`, { type: 'application/json', body: json(zarrayDocument({ shape: extents[l].shape, chunks: chunk, dtype: 'float32', fillValue: viewOpts.fillValue, compressor: null })) });
  }

  const intArg = (v: string | null, what: string): number => {
    if (v === null || !/^-?\d+$/.test(v)) throw new BadRequest(`${what} must be an integer`);
    return Number(v);
  };

  const chunkVoxels = chunk[0] * chunk[1] * chunk[2];
  const fusedDir = opts.fused === undefined ? join(volume.campaign.workdir, 'fused.ome.zarr') : opts.fused;
  const fused = fusedDir === null ? undefined : await fusedSource(fusedDir, volume, viewOpts, chunk, PARAMS_FILE, FUSE_COMPLETE_MARKER);
  if (fused) log.info({ fused: fusedDir, levels: fused.levels }, 'serve: chunks come from the fused output');
  if (viewOpts.intensityCorrection && (!fused || fused.levels < levels)) {
    // Estimated (or read back) before the first request, so that no request pays for every overlap.
    const { model, reused } = await storedIntensityModel(volume, (overlaps) => log.info({ overlaps }, 'serve: estimating the intensity correction from the overlaps before the first request (once; kept in intensity-model.json)'));
    log.info({ applied: model.helps, stored: reused }, `intensity correction ${model.reason}`);
  }

  /**
   * A chunk's voxels: level 0 composed from the tiles; level L the mean of the level L-1 chunks
   * below it, themselves served (and cached) this way, so that zooming through the pyramid reuses
   * work and the memory of a request is a few chunks per level. Equal to getView at that level:
   * the same means of the same voxels (sums of a few float32 are exact in float64).
   */
  async function chunkData(level: number, idx: Vec3): Promise<Float32Array> {
    return chunkCache.get(`c/${level}/${idx.join('.')}`, async () => {
      const e = extents[level];
      const start = idx.map((c, a) => e.lo[a] + c * chunk[a]) as Vec3;
      if (fused && level < fused.levels) return fused.read(level, idx);
      // From the tiles' own level when they have one: the cost of the chunk's own voxels.
      if (level === 0 || (await volume.tileLevelsFor(level))) return volume.viewFloat(level, start, chunk, viewOpts);
      const f = volume.levelStep(level);
      const below = extents[level - 1];
      // Children of this chunk inside the level below: [c0, c1) in that level's global frame.
      const c0 = start.map((s, a) => Math.max(s * f[a], below.lo[a])) as Vec3;
      const c1 = start.map((s, a) => Math.min((s + chunk[a]) * f[a], below.hi[a])) as Vec3;
      const sum = new Float64Array(chunkVoxels);
      const cnt = new Uint16Array(chunkVoxels);
      if (c0.every((v, a) => v < c1[a])) {
        const k0 = c0.map((v, a) => Math.floor((v - below.lo[a]) / chunk[a]));
        const k1 = c1.map((v, a) => Math.floor((v - 1 - below.lo[a]) / chunk[a]));
        for (let kz = k0[0]; kz <= k1[0]; kz++)
          for (let ky = k0[1]; ky <= k1[1]; ky++)
            for (let kx = k0[2]; kx <= k1[2]; kx++) {
              const child = await chunkData(level - 1, [kz, ky, kx]);
              const g0 = [kz, ky, kx].map((k, a) => below.lo[a] + k * chunk[a]);
              const lo = g0.map((g, a) => Math.max(g, c0[a])), hi = g0.map((g, a) => Math.min(g + chunk[a], c1[a]));
              for (let z = lo[0]; z < hi[0]; z++) {
                const oz = Math.floor(z / f[0]) - start[0];
                for (let y = lo[1]; y < hi[1]; y++) {
                  const oy = Math.floor(y / f[1]) - start[1];
                  const src = ((z - g0[0]) * chunk[1] + (y - g0[1])) * chunk[2] - g0[2];
                  const dst = (oz * chunk[1] + oy) * chunk[2] - start[2];
                  for (let x = lo[2]; x < hi[2]; x++) {
                    const o = dst + Math.floor(x / f[2]);
                    sum[o] += child[src + x];
                    cnt[o]++;
                  }
                }
              }
            }
      }
      const out = new Float32Array(chunkVoxels);
      for (let o = 0; o < chunkVoxels; o++) out[o] = cnt[o] ? sum[o] / cnt[o] : viewOpts.fillValue;
      return out;
    });
  }

  async function chunkBytes(level: number, idx: Vec3): Promise<Uint8Array> {
    const e = extents[level];
    for (let a = 0; a < 3; a++) if (idx[a] < 0 || idx[a] * chunk[a] >= e.shape[a]) throw new NotFound(`chunk ${idx} is outside level ${level}`);
    return encodeChunk(await chunkData(level, idx), null);
  }

  async function slicePng(level: number, axis: string, index: number): Promise<Uint8Array> {
    const e = extents[level];
    const ax = ['z', 'y', 'x'].indexOf(axis);
    if (ax < 0) throw new BadRequest('axis must be z, y or x');
    if (index < e.lo[ax] || index >= e.hi[ax]) throw new NotFound(`index ${index} is outside level ${level} along ${axis}`);
    return sliceCache.get(`s/${level}/${axis}/${index}`, async () => {
      const start: Vec3 = [...e.lo];
      const size: Vec3 = [...e.shape];
      start[ax] = index;
      size[ax] = 1;
      const data = await volume.viewFloat(level, start, size, viewOpts);
      const [h, w] = size.filter((_, a) => a !== ax);
      return encodePngGray8(contrastScale(data), w, h);
    });
  }

  async function respond(req: IncomingMessage): Promise<{ type: string; body: Uint8Array }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    if (path === '/' || path === '/index.html') {
      const { viewerPage } = await import('./viewer-page.js');
      return { type: 'text/html; charset=utf-8', body: Buffer.from(viewerPage(volume.campaign.name)) };
    }
    const doc = staticDocs.get(path);
    if (doc) return doc;
    if (path === '/api/slice.png') {
      const level = intArg(url.searchParams.get('level') ?? '0', 'level');
      if (level < 0 || level >= levels) throw new NotFound(`level ${level} does not exist`);
      return { type: 'image/png', body: await slicePng(level, url.searchParams.get('axis') ?? '', intArg(url.searchParams.get('index'), 'index')) };
    }
    const m = /^\/zarr\/(\d+)\/(\d+)[/.](\d+)[/.](\d+)$/.exec(path);
    if (m) {
      const level = Number(m[1]);
      if (level >= levels) throw new NotFound(`level ${level} does not exist`);
      return { type: 'application/octet-stream', body: await chunkBytes(level, [Number(m[2]), Number(m[3]), Number(m[4])]) };
    }
    throw new NotFound(`no such path ${path}`);
  }

  const server = createServer((req, res: ServerResponse) => {
    if (req.method === 'OPTIONS') {
      // CORS preflight: viewers on another origin (Neuroglancer, napari's web readers) ask first.
      res.writeHead(204, { ...CORS_HEADERS, 'access-control-max-age': '86400' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', ...CORS_HEADERS }).end();
      return;
    }
    respond(req).then(
      async ({ type, body }) => {
        const reply = await httpBody(req, body);
        res.writeHead(reply.status, { 'content-type': type, 'content-length': reply.body.byteLength, 'accept-ranges': 'bytes', vary: 'Accept-Encoding', ...CORS_HEADERS, ...reply.headers });
        res.end(req.method === 'HEAD' ? undefined : reply.body);
      },
      (err: unknown) => {
        const notFound = err instanceof NotFound || err instanceof URIError;
        const bad = err instanceof BadRequest;
        if (!notFound && !bad) log.error({ error: err instanceof Error ? err.message : String(err), url: req.url }, 'serve: request failed');
        const msg = `${bad ? 'Bad request' : notFound ? 'Not found' : 'Cannot compute'}: ${err instanceof Error ? err.message : String(err)}\n`;
        if (!res.headersSent) res.writeHead(bad ? 400 : notFound ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8', ...CORS_HEADERS });
        res.end(msg);
      },
    );
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Vec3 } from '../geometry/box.js';
import type { StitchedVolume, ViewOptions } from './stitched-volume.js';
import { multiscalesMetadata } from './ome-zarr-metadata.js';
import { zarrayDocument, encodeChunk } from '../imageio/zarr-v2-array.js';
import { contrastScale, encodePngGray8 } from '../imageio/write-png.js';
import { ChunkCache } from './chunk-cache.js';
import { getLogger } from '../log.js';

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
}

export interface VolumeServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

class NotFound extends Error {}

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
  const cache = new ChunkCache<Uint8Array>(opts.cacheBytes ?? 256 * 2 ** 20);
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
    if (v === null || !/^-?\d+$/.test(v)) throw new NotFound(`${what} must be an integer`);
    return Number(v);
  };

  async function chunkBytes(level: number, idx: Vec3): Promise<Uint8Array> {
    const e = extents[level];
    for (let a = 0; a < 3; a++) if (idx[a] < 0 || idx[a] * chunk[a] >= e.shape[a]) throw new NotFound(`chunk ${idx} is outside level ${level}`);
    return cache.get(`c/${level}/${idx.join('.')}`, async () => {
      const start = idx.map((c, a) => e.lo[a] + c * chunk[a]) as Vec3;
      const data = await volume.viewFloat(level, start, chunk, viewOpts);
      return encodeChunk(data, null);
    });
  }

  async function slicePng(level: number, axis: string, index: number): Promise<Uint8Array> {
    const e = extents[level];
    const ax = ['z', 'y', 'x'].indexOf(axis);
    if (ax < 0) throw new NotFound('axis must be z, y or x');
    if (index < e.lo[ax] || index >= e.hi[ax]) throw new NotFound(`index ${index} is outside level ${level} along ${axis}`);
    return cache.get(`s/${level}/${axis}/${index}`, async () => {
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
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    respond(req).then(
      ({ type, body }) => {
        res.writeHead(200, { 'content-type': type, 'content-length': body.byteLength, 'access-control-allow-origin': '*' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        const notFound = err instanceof NotFound || err instanceof URIError;
        if (!notFound) log.error({ err, url: req.url }, 'serve: request failed');
        const msg = `${notFound ? 'Not found' : 'Cannot compute'}: ${err instanceof Error ? err.message : String(err)}\n`;
        if (!res.headersSent) res.writeHead(notFound ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8', 'access-control-allow-origin': '*' });
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

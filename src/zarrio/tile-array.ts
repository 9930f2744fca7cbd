import * as zarr from 'zarrita';
import { join } from 'node:path';
import FileSystemStore from '@zarrita/storage/fs';
import { StitchgraphError } from '../errors.js';
import { isTileDtype, allocTyped, type TileDtype, type TileTypedArray } from './dtypes.js';
import { ChunkCache, sharedChunkCache, type DecodedChunk } from './chunk-cache.js';
import { registerCodecs } from './register-codecs.js';
import { accumulateChunkBlocks, copyChunkIntoRegion, downsampledShape, finishBlockAverage, type Chunk3 } from './_region-assembly.js';
import { sharedDecodePool, type PoolCodec } from './decode-pool.js';
import { useFastDecoders } from './fast-blosc.js';
import type { Box3, Vec3 } from '../geometry/box.js';

export type Readable = zarr.Readable;

registerCodecs();

/** A region read from a tile: C-order voxels with shape (z, y, x). */
export interface Region<T extends TileTypedArray = TileTypedArray> {
  data: T;
  shape: Vec3;
}

export interface ReadRegionOptions {
  /**
   * Block-average by (fz, fy, fx) while reading: the result has shape ceil(size / f) and float32
   * voxels, each the mean of its block; blocks start at box.start, and the last block along an
   * axis averages only the voxels that exist (it is not padded). Full-resolution data is never
   * held for the whole region, only chunk by chunk.
   * @default [1, 1, 1] (no downsampling: the tile's own dtype comes back)
   */
  downsample?: Vec3;
  signal?: AbortSignal;
  /**
   * The decoded-chunk cache for this read instead of the array's own (`null`: none). A stitched
   * volume passes its cache so that its views share one budget, whichever array they read.
   */
  cache?: ChunkCache | null;
  /**
   * Where to put the voxels (without downsampling): an array of the tile's dtype with exactly
   * the box's voxel count, wholly overwritten and handed back as the region's data. A caller that
   * reads box after box reuses one: a fresh 32 MiB region costs ~8,000 page faults (the kernel
   * zeroes each page on first write), about as much CPU as decoding it.
   */
  into?: TileTypedArray;
}

export interface OpenTileArrayOptions {
  /** Decoded-chunk cache; `null` for none. @default sharedChunkCache() (256 MiB, process-wide) */
  cache?: ChunkCache | null;
  /** Chunks fetched and decoded at once per region read. @default 16 */
  concurrency?: number;
}

/**
 * One tile of a campaign: a 2-D or 3-D Zarr array seen as 3-D (z, y, x); a 2-D array is one plane.
 */
export interface TileArray {
  /** Array path inside the store (for messages). */
  readonly path: string;
  readonly shape: Vec3;
  readonly chunks: Vec3;
  readonly dtype: TileDtype;
  readonly zarrVersion: 2 | 3;
  readonly fillValue: number | null;
  /** Codec names as stored, outermost last (e.g. ["bytes", "blosc"], ["sharding_indexed(bytes,zstd)"]). */
  readonly codecs: string[];
  /**
   * Read a box (in the tile's own voxel coordinates, must lie inside the tile), fetching and
   * decoding only the chunks it touches (in parallel, through the chunk cache).
   */
  readRegion(box: Box3, options?: ReadRegionOptions): Promise<Region>;
  /** The underlying zarrita array, for adapters (writing). */
  readonly array: zarr.Array<zarr.DataType, Readable>;
}

export function openFileStore(root: string): FileSystemStore {
  return new FileSystemStore(root);
}

const V2_DTYPES: Record<string, TileDtype> = {
  u1: 'uint8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  f4: 'float32',
  f8: 'float64',
};
const V2_COMPRESSORS = new Set(['blosc', 'zlib', 'gzip', 'zstd', 'lz4']);
const V2_FILTERS = new Set(['shuffle', 'delta']);
const V3_CODECS = new Set(['bytes', 'transpose', 'zstd', 'blosc', 'gzip', 'zlib', 'crc32c', 'sharding_indexed']);

interface CodecMeta {
  name: string;
  configuration?: { codecs?: CodecMeta[]; index_codecs?: CodecMeta[] };
}

interface RawMeta {
  version: 2 | 3;
  dtype: string;
  codecs: string[];
  /**
   * Set when a chunk's stored bytes are one blosc or zstd stream of the little-endian C-order
   * values (no filters, no transpose, no shards): the decode pool can then decode it and place it
   * in the region itself (see readRegion).
   */
  direct?: { codec: PoolCodec; config: unknown };
  /** Chunk key of chunk coordinates (for messages); undefined inside shards. */
  chunkKey(coords: number[]): string | undefined;
}

function tileError(tag: 'TileNotFound' | 'UnsupportedDtype' | 'UnsupportedCodec' | 'ArrayShapeError', where: string, reason: string, extra: Record<string, unknown> = {}, cause?: unknown): StitchgraphError {
  return new StitchgraphError(tag, `Cannot open tile array "${where}": ${reason}`, { cause, details: { path: where, ...extra } });
}

function parseJson(bytes: Uint8Array, where: string, file: string): Record<string, unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (err) {
    throw tileError('TileNotFound', where, `${file} is not valid JSON (${(err as Error).message})`, {}, err);
  }
}

/** Read the raw metadata ourselves: which format, and whether its dtype and codecs are ones we read. */
async function readRawMeta(loc: zarr.Location<Readable>, where: string): Promise<RawMeta> {
  const v3 = await loc.store.get(loc.resolve('zarr.json').path);
  if (v3) {
    const m = parseJson(v3, where, 'zarr.json');
    if (m.node_type !== 'array') throw tileError('TileNotFound', where, `it is a Zarr ${String(m.node_type)}, not an array`);
    const dtype = String(m.data_type);
    if (!isTileDtype(dtype)) throw tileError('UnsupportedDtype', where, `data type ${dtype} is not supported (use uint8, uint16, int16, uint32, int32, float32 or float64)`, { dtype });
    const describe = (cs: CodecMeta[]): string[] =>
      cs.map((c) => {
        if (!V3_CODECS.has(c.name)) throw tileError('UnsupportedCodec', where, `codec "${c.name}" is not supported (readable: ${[...V3_CODECS].join(', ')})`, { codec: c.name });
        if (c.name === 'sharding_indexed') {
          describe(c.configuration?.index_codecs ?? []);
          return `sharding_indexed(${describe(c.configuration?.codecs ?? []).join(',')})`;
        }
        return c.name;
      });
    const codecs = describe((m.codecs as CodecMeta[] | undefined) ?? []);
    const enc = (m.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined) ?? {};
    const sep = enc.configuration?.separator ?? (enc.name === 'v2' ? '.' : '/');
    const sharded = codecs.some((c) => c.startsWith('sharding_indexed'));
    const list = (m.codecs as (CodecMeta & { configuration?: Record<string, unknown> })[] | undefined) ?? [];
    let direct: RawMeta['direct'];
    if (list.length === 2 && list[0].name === 'bytes' && (list[0].configuration?.endian ?? 'little') === 'little' && (list[1].name === 'blosc' || list[1].name === 'zstd')) {
      const config = { ...(list[1].configuration ?? {}) };
      // numcodecs.js' Blosc (the worker's fallback) takes shuffle as a number.
      if (typeof config.shuffle === 'string') config.shuffle = ({ noshuffle: 0, shuffle: 1, bitshuffle: 2 } as Record<string, number>)[config.shuffle] ?? 1;
      direct = { codec: list[1].name, config };
    }
    return {
      version: 3,
      dtype,
      codecs,
      direct,
      chunkKey: (c) => (sharded ? undefined : enc.name === 'v2' ? c.join(sep) : ['c', ...c].join(sep)),
    };
  }
  const v2 = await loc.store.get(loc.resolve('.zarray').path);
  if (!v2) {
    const group = (await loc.store.get(loc.resolve('.zgroup').path)) ?? undefined;
    throw tileError('TileNotFound', where, group ? 'it is a Zarr group, not an array' : 'no Zarr array at that path (neither zarr.json nor .zarray)');
  }
  const m = parseJson(v2, where, '.zarray');
  const raw = String(m.dtype);
  const dtype = V2_DTYPES[raw.slice(1)];
  if (!dtype || !/^[<>|]/.test(raw)) throw tileError('UnsupportedDtype', where, `data type ${raw} is not supported (use |u1, <u2, <i2, <u4, <i4, <f4 or <f8)`, { dtype: raw });
  const codecs: string[] = [];
  for (const f of (m.filters as { id: string }[] | null) ?? []) {
    if (!V2_FILTERS.has(f.id)) throw tileError('UnsupportedCodec', where, `filter "${f.id}" is not supported (readable: ${[...V2_FILTERS].join(', ')})`, { codec: f.id });
    codecs.push(f.id);
  }
  const comp = m.compressor as { id: string } | null;
  if (comp) {
    if (!V2_COMPRESSORS.has(comp.id)) throw tileError('UnsupportedCodec', where, `compressor "${comp.id}" is not supported (readable: ${[...V2_COMPRESSORS].join(', ')}, none)`, { codec: comp.id });
    codecs.push(comp.id);
  }
  const sep = typeof m.dimension_separator === 'string' ? m.dimension_separator : '.';
  const plain = codecs.length === 1 && (comp?.id === 'blosc' || comp?.id === 'zstd') && raw[0] !== '>' && (m.order ?? 'C') === 'C';
  return { version: 2, dtype, codecs, direct: plain && comp ? { codec: comp.id as PoolCodec, config: comp } : undefined, chunkKey: (c) => c.join(sep) };
}

function to3(v: readonly number[], what: string, path: string): Vec3 {
  if (v.length === 3) return [v[0], v[1], v[2]];
  if (v.length === 2) return [1, v[0], v[1]];
  throw new StitchgraphError('ArrayShapeError', `Cannot use array "${path}" as a tile: it has ${v.length} dimensions (${what} [${v.join(', ')}]); tiles are 2-D (y, x) or 3-D (z, y, x)`, {
    details: { path, shape: v },
  });
}

const storeIds = new WeakMap<object, number>();
let nextStoreId = 1;
function storeId(store: Readable): number {
  let id = storeIds.get(store);
  if (id === undefined) {
    id = nextStoreId++;
    storeIds.set(store, id);
  }
  return id;
}

/** Smaller chunks decode faster on the calling thread than a round trip to a worker takes. */
const DIRECT_MIN_CHUNK_BYTES = 64 * 1024;

async function runPool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** Open one array of a store as a tile. Errors name the array path. */
export async function openTileArray(store: Readable, path: string, storeLabel = '', options: OpenTileArrayOptions = {}): Promise<TileArray> {
  const where = storeLabel ? `${storeLabel}/${path}` : path;
  const loc = zarr.root(store).resolve(path);
  const raw = await readRawMeta(loc, where);
  let arr: zarr.Array<zarr.DataType, Readable>;
  try {
    arr = raw.version === 3 ? await zarr.open.v3(loc, { kind: 'array' }) : await zarr.open.v2(loc, { kind: 'array' });
  } catch (err) {
    throw tileError('TileNotFound', where, (err as Error).message, {}, err);
  }
  const dtype = raw.dtype as TileDtype;
  const ndim = arr.shape.length;
  const shape = to3(arr.shape, 'shape', where);
  const chunks = to3(arr.chunks, 'chunks', where);
  const fv = arr.fillValue;
  const fillValue = typeof fv === 'number' ? fv : null;
  const cache = options.cache === undefined ? sharedChunkCache() : options.cache;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const keyPrefix = `${storeId(store)}\0${loc.path}\0`;

  const loadChunk = async (coords: number[], signal?: AbortSignal): Promise<DecodedChunk> => {
    try {
      const c = (await arr.getChunk(coords, { signal })) as DecodedChunk;
      const expected = c.shape.reduce((p, v) => p * v, 1);
      if (c.data.length !== expected) throw new Error(`decoded to ${c.data.length} values, expected ${expected} (a damaged or foreign chunk)`);
      return c;
    } catch (err) {
      const key = raw.chunkKey(coords);
      const what = zarr.isZarritaError(err, 'CodecPipelineError') ? 'cannot decode' : 'cannot read';
      throw new StitchgraphError('ChunkDecodeError', `Cannot read tile array "${where}": ${what} chunk (${coords.join(', ')})${key ? ` (key ${key})` : ''} with codecs ${raw.codecs.join(', ')}: ${(err as Error).message}`, {
        cause: err,
        details: { path: where, chunk: coords, key },
      });
    }
  };
  const getChunk3 = async (c3: Vec3, chunkCache: ChunkCache | null, signal?: AbortSignal): Promise<Chunk3> => {
    const coords = ndim === 2 ? [c3[1], c3[2]] : [...c3];
    const c = chunkCache ? await chunkCache.getOrLoad(keyPrefix + coords.join(','), () => loadChunk(coords, signal)) : await loadChunk(coords, signal);
    if (ndim === 2) return { data: c.data, shape: [1, c.shape[0], c.shape[1]], stride: [0, c.stride[0], c.stride[1]] };
    return { data: c.data, shape: [c.shape[0], c.shape[1], c.shape[2]], stride: [c.stride[0], c.stride[1], c.stride[2]] };
  };

  const chunk3: Vec3 = ndim === 2 ? [1, arr.chunks[0], arr.chunks[1]] : [arr.chunks[0], arr.chunks[1], arr.chunks[2]];
  const bytesPerElement = allocTyped(dtype, 0).BYTES_PER_ELEMENT;
  const chunkBytes = chunk3[0] * chunk3[1] * chunk3[2] * bytesPerElement;
  // A decoded chunk as zarrita's getChunk gives it (what the cache holds): 2-D arrays have 2-D chunks.
  /**
   * Region reads of plain blosc/zstd arrays through the decode pool without a chunk cache
   * (streaming reads). The chunks go to the workers by strips: all chunks of one (z, y) row of
   * the chunk grid to one worker, which reads the chunk files itself (plain file stores), decodes
   * only the blosc blocks holding the region's part and assembles the strip at the region's full
   * width in its WebAssembly memory (shared); the main thread copies the strip from there straight
   * into the region, one call per plane (each strip plane is one contiguous run of the region).
   * zarrita's codec pipeline instead hands it every decoded chunk in a fresh buffer
   * to be copied row by row (a 67 MB read of 64×128×128 chunks: 262 k short copies).
   */
  const readDirect = async (box: Box3, list: Vec3[], pool: NonNullable<ReturnType<typeof sharedDecodePool>>, direct: NonNullable<RawMeta['direct']>, signal?: AbortSignal, into?: TileTypedArray): Promise<Region> => {
    const [, H, W] = box.size;
    // Allocated once the first strips are on their way (below): a large allocation can start a
    // garbage collection (V8 collects when external memory grows), which the workers need not wait for.
    let outBytes: Uint8Array = new Uint8Array(0);
    const fill = fillValue ?? 0;
    const absent = new Map<string, Vec3>();
    // Strips: chunk-grid rows (z, y), each with its chunks along x.
    const strips = new Map<string, Vec3[]>();
    for (const c3 of list) {
      const k = `${c3[0]},${c3[1]}`;
      const row = strips.get(k);
      if (row) row.push(c3);
      else strips.set(k, [c3]);
    }
    const rows = [...strips.values()];
    // A plain file store: the workers read the chunk files themselves. Other stores (and file
    // stores whose reads are wrapped) are read here; their bytes are copied to the worker unless
    // the store hands out fresh bytes on every get (a cache or a Map keeps them).
    const root = Object.getPrototypeOf(loc.store) === FileSystemStore.prototype ? (loc.store as FileSystemStore).root : null;
    const ownsBytes = loc.store instanceof FileSystemStore;
    // Strips are cut along z (at chunk-relative multiples of 8 planes, where blosc blocks of whole
    // planes begin) until there are about 8 per worker: the workers then finish together, and the
    // first strips arrive sooner. A cut strip reads and decodes only its blocks of each chunk.
    // Only where a cut reads and decodes part of a chunk: blosc-zstd frames the workers read from
    // a plain file store and decode in WebAssembly. Other codecs (blosc-lz4, plain zstd), other
    // stores and numcodecs.js alone (STITCHGRAPH_DECODER=numcodecs) would read and decode each
    // whole chunk once per cut.
    const partial = root !== null && direct.codec === 'blosc' && (direct.config as { cname?: unknown }).cname === 'zstd' && useFastDecoders();
    const cut = partial ? Math.max(1, Math.min(Math.ceil((8 * pool.size) / rows.length), Math.floor(chunks[0] / 8))) : 1;
    const step = Math.ceil(chunks[0] / cut / 8) * 8;
    const jobs: { row: Vec3[]; z0: number; z1: number }[] = [];
    for (const row of rows) {
      const base = row[0][0] * chunks[0];
      const z0 = Math.max(box.start[0], base), z1 = Math.min(box.start[0] + box.size[0], base + chunks[0]);
      for (let a = z0; a < z1; ) {
        const b = Math.min(z1, base + (Math.floor((a - base) / step) + 1) * step);
        jobs.push({ row, z0: a, z1: b });
        a = b;
      }
    }
    // Strips in flight: enough to keep every worker's two slots busy; reading chunks here (other
    // stores) holds their bytes meanwhile, so those keep the caller's bound.
    const lanes = root !== null ? Math.max(2, 2 * pool.size) : Math.max(2, Math.ceil(concurrency / 4));
    const reading = runPool(jobs.length, lanes, async (i) => {
      signal?.throwIfAborted();
      const { row, z0, z1 } = jobs[i];
      const cy = row[0][1];
      const y0 = Math.max(box.start[1], cy * chunks[1]), y1 = Math.min(box.start[1] + box.size[1], (cy + 1) * chunks[1]);
      const strip = { start: [z0, y0, box.start[2]] as Vec3, size: [z1 - z0, y1 - y0, W] as Vec3 };
      const keys = row.map((c3) => raw.chunkKey(ndim === 2 ? [c3[1], c3[2]] : [...c3]) as string);
      const source = root !== null
        ? { files: keys.map((key) => join(root, loc.resolve(key).path.replace(/^\/+/, ''))) }
        : { parts: await Promise.all(keys.map(async (key) => (await loc.store.get(loc.resolve(key).path)) ?? null)) };
      const origins = row.map((c3) => [c3[0] * chunks[0], c3[1] * chunks[1], c3[2] * chunks[2]] as Vec3);
      // Each strip plane is one run of the region.
      const planeBytes = strip.size[1] * W * bytesPerElement;
      const missing: number[] = [];
      const place = (data: Uint8Array, gone: number[]): void => {
        for (let z = 0; z < strip.size[0]; z++) {
          outBytes.set(data.subarray(z * planeBytes, (z + 1) * planeBytes), ((z0 + z - box.start[0]) * H + (y0 - box.start[1])) * W * bytesPerElement);
        }
        missing.push(...gone);
      };
      try {
        if ('files' in source || source.parts.some((p) => p)) {
          await pool.decodeStrip(direct.codec, direct.config, source, { bytesPerElement, start: [...strip.start], size: [...strip.size], chunk: [...chunk3], origins }, place, ownsBytes);
        } else missing.push(...row.map((_, k) => k));
      } catch (err) {
        const at = row.map((c3) => `(${(ndim === 2 ? [c3[1], c3[2]] : c3).join(', ')})`).join(' ');
        throw new StitchgraphError('ChunkDecodeError', `Cannot read tile array "${where}": cannot decode chunks ${at} (keys ${keys.join(' ')}) with codecs ${raw.codecs.join(', ')}: ${(err as Error).message}`, {
          cause: err,
          details: { path: where, chunks: row, keys },
        });
      }
      for (const k of missing) absent.set(origins[k].join(','), origins[k]);
    });
    // Strips arrive as messages, so never before this synchronous allocation.
    let region: TileTypedArray;
    try {
      region = into ?? allocTyped(dtype, box.size[0] * H * W);
    } catch (err) {
      // (The strips under way then fail to place; the read fails here, with this error.)
      reading.catch(() => undefined);
      throw err;
    }
    outBytes = new Uint8Array(region.buffer, region.byteOffset, region.byteLength);
    await reading;
    // Chunks never written read as the fill value (as zarrita's getChunk gives them); their part
    // of a strip was stale.
    for (const origin of absent.values()) {
      const lo: Vec3 = [0, 1, 2].map((a) => Math.max(box.start[a], origin[a])) as Vec3;
      const part = [0, 1, 2].map((a) => Math.min(box.start[a] + box.size[a], origin[a] + chunk3[a]) - lo[a]) as Vec3;
      const fillData = allocTyped(dtype, part[0] * part[1] * part[2]);
      fillData.fill(fill);
      copyChunkIntoRegion({ data: fillData, shape: part, stride: [part[1] * part[2], part[2], 1] }, lo, box, region);
    }
    return { data: region, shape: [...box.size] };
  };

  return {
    path: where,
    shape,
    chunks,
    dtype,
    zarrVersion: raw.version,
    fillValue,
    codecs: raw.codecs,
    array: arr,
    async readRegion(box: Box3, opts: ReadRegionOptions = {}): Promise<Region> {
      for (let i = 0; i < 3; i++) {
        if (!Number.isInteger(box.start[i]) || !Number.isInteger(box.size[i]) || box.start[i] < 0 || box.size[i] < 0 || box.start[i] + box.size[i] > shape[i]) {
          throw new StitchgraphError('InputError', `Cannot read [${box.start}]+[${box.size}] from "${where}": outside the tile's shape [${shape}] (or not integer)`, {
            details: { path: where, box },
          });
        }
      }
      const factor: Vec3 = opts.downsample ?? [1, 1, 1];
      if (!factor.every((f) => Number.isInteger(f) && f >= 1)) {
        throw new StitchgraphError('InputError', `Cannot read from "${where}": downsample factors must be integers >= 1, not [${factor}]`, { details: { path: where, downsample: factor } });
      }
      const downsampling = factor.some((f) => f > 1);
      const n = box.size[0] * box.size[1] * box.size[2];
      const into = opts.into;
      if (into && (downsampling || into.constructor !== allocTyped(dtype, 0).constructor || into.length !== n)) {
        throw new StitchgraphError('InputError', `Cannot read [${box.start}]+[${box.size}] from "${where}" into the array given: it must be a ${dtype} array of ${n} voxels${downsampling ? ' and the read not downsampled' : ''}, not ${into.constructor.name}(${into.length})`, {
          details: { path: where, box },
        });
      }
      if (n === 0) {
        return downsampling ? { data: new Float32Array(0), shape: downsampledShape(box.size, factor) } : { data: into ?? allocTyped(dtype, 0), shape: [...box.size] };
      }
      const first = [0, 1, 2].map((a) => Math.floor(box.start[a] / chunks[a]));
      const last = [0, 1, 2].map((a) => Math.floor((box.start[a] + box.size[a] - 1) / chunks[a]));
      const list: Vec3[] = [];
      for (let z = first[0]; z <= last[0]; z++) for (let y = first[1]; y <= last[1]; y++) for (let x = first[2]; x <= last[2]; x++) list.push([z, y, x]);
      const readCache = opts.cache === undefined ? cache : opts.cache;
      const pool = raw.direct && readCache === null && !downsampling && list.length > 1 && chunkBytes >= DIRECT_MIN_CHUNK_BYTES ? sharedDecodePool() : null;
      if (pool && raw.direct) return readDirect(box, list, pool, raw.direct, opts.signal, into);
      const out = downsampling ? undefined : (into ?? allocTyped(dtype, n));
      const sums = downsampling ? new Float64Array(downsampledShape(box.size, factor).reduce((a, b) => a * b, 1)) : undefined;
      // Each chunk is folded into the output as soon as it arrives, so at most `concurrency`
      // decoded chunks beyond the cache are alive at once.
      await runPool(list.length, concurrency, async (i) => {
        opts.signal?.throwIfAborted();
        const c3 = list[i];
        const chunk = await getChunk3(c3, readCache, opts.signal);
        const origin: Vec3 = [c3[0] * chunks[0], c3[1] * chunks[1], c3[2] * chunks[2]];
        if (out) copyChunkIntoRegion(chunk, origin, box, out);
        else if (sums) accumulateChunkBlocks(chunk, origin, box, factor, sums);
      });
      if (sums) return { data: finishBlockAverage(sums, box.size, factor), shape: downsampledShape(box.size, factor) };
      return { data: out as TileTypedArray, shape: [...box.size] };
    },
  };
}

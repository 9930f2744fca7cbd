import * as zarr from 'zarrita';
import { promisify } from 'node:util';
import { inflate, deflate, gunzip, gzip } from 'node:zlib';
import { sharedDecodePool, type PoolCodec } from './decode-pool.js';
import { loadFastBlosc, useFastDecoders } from './fast-blosc.js';
import { loadFastZstd } from './fast-zstd.js';
import { inflateChunkSize, type ChunkMeta } from './inflate-chunk-size.js';

const inflateAsync = promisify(inflate);
const deflateAsync = promisify(deflate);
const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * zlib / gzip on node:zlib instead of zarrita's web-stream DecompressionStream: node's async zlib
 * runs on the libuv thread pool, so chunks inflate in parallel off the main thread and without
 * the stream plumbing; it also encodes, which zarrita's own zlib/gzip codecs do not.
 */
function makeCodec(name: 'zlib' | 'gzip') {
  const decode = name === 'zlib' ? inflateAsync : gunzipAsync;
  const encode = name === 'zlib' ? deflateAsync : gzipAsync;
  return class NodeZlibCodec {
    readonly kind = 'bytes_to_bytes' as const;
    readonly level: number;
    readonly #chunkSize: number | undefined;
    constructor(level: number, chunkSize?: number) {
      this.level = level;
      this.#chunkSize = chunkSize;
    }
    static fromConfig(config: { level?: number } | undefined, meta?: ChunkMeta): NodeZlibCodec {
      return new NodeZlibCodec(config?.level ?? 5, inflateChunkSize(meta));
    }
    async encode(bytes: Uint8Array): Promise<Uint8Array> {
      return view(await encode(bytes, { level: this.level }));
    }
    async decode(bytes: Uint8Array): Promise<Uint8Array> {
      return view(await decode(bytes, this.#chunkSize ? { chunkSize: this.#chunkSize } : {}));
    }
  };
}

const SHUFFLE: Record<string, number> = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };

interface BloscConfig {
  cname?: string;
  clevel?: number;
  shuffle?: number | string;
  blocksize?: number;
}

/**
 * numcodecs.js's Blosc takes shuffle as a number; v3 metadata (zarr-python, the spec) spells it
 * "noshuffle" | "shuffle" | "bitshuffle", which numcodecs.js silently encodes as no shuffle.
 * Decoding does not care (the blosc header says), encoding does.
 */
async function loadBlosc(): Promise<{ fromConfig(config: BloscConfig): unknown }> {
  const Blosc = (await import('numcodecs/blosc')).default;
  const fast = await loadFastBlosc();
  return {
    fromConfig(config: BloscConfig) {
      const shuffle = typeof config.shuffle === 'string' ? (SHUFFLE[config.shuffle] ?? 1) : config.shuffle;
      const fixed = { ...config, shuffle };
      const wasm = Blosc.fromConfig(fixed as Parameters<typeof Blosc.fromConfig>[0]);
      // Decoding: our own frame decoder (zstd inner codec, ~1.7× numcodecs.js' per core with byte
      // shuffle), numcodecs.js for the frames it leaves (lz4, blosclz, zlib, snappy inside) and for
      // encoding.
      const local: BytesCodec = {
        encode: (b) => wasm.encode(b),
        decode: async (b) => (useFastDecoders() ? fast(b) : null) ?? (await wasm.decode(b)),
      };
      return pooled('blosc', fixed, local);
    },
  };
}

async function loadZstd(): Promise<{ fromConfig(config: object): unknown }> {
  const Zstd = (await import('numcodecs/zstd')).default;
  const fast = await loadFastZstd();
  return {
    fromConfig: (config: object) => {
      const wasm = Zstd.fromConfig(config as Parameters<typeof Zstd.fromConfig>[0]);
      // Decoding through our zstd build (fast-zstd.ts) when the frame states its size (numcodecs.js' emscripten binding
      // copies the chunk in byte by byte); numcodecs.js otherwise, and for encoding.
      const local: BytesCodec = {
        encode: (b) => wasm.encode(b),
        decode: async (b) => (useFastDecoders() ? fast(b) : null) ?? (await wasm.decode(b)),
      };
      return pooled('zstd', config, local);
    },
  };
}

/** Compressed chunks smaller than this decode inline: a round trip to a worker costs more. */
export const POOL_MIN_BYTES = 32 * 1024;

interface BytesCodec {
  encode(b: Uint8Array): Promise<Uint8Array>;
  decode(b: Uint8Array): Promise<Uint8Array>;
}

/** A wasm codec whose large decodes run on the decode pool's worker threads. */
function pooled(name: PoolCodec, config: object, local: BytesCodec): BytesCodec & { kind: 'bytes_to_bytes' } {
  return {
    kind: 'bytes_to_bytes',
    encode: (b) => local.encode(b),
    decode: (b) => {
      const pool = b.byteLength >= POOL_MIN_BYTES ? sharedDecodePool() : null;
      return pool ? pool.decode(name, config, b) : local.decode(b);
    },
  };
}

let registered = false;

/**
 * Replace four of zarrita's codecs in its registry (v3 names and numcodecs v2 names): zlib and
 * gzip on node:zlib; blosc (with the shuffle spelling fixed) and zstd decoding large chunks on
 * the worker-thread decode pool. Idempotent.
 */
export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  const zlib = makeCodec('zlib');
  const gz = makeCodec('gzip');
  type Entry = Awaited<ReturnType<NonNullable<ReturnType<typeof zarr.registry.get>>>>;
  const asEntry = (c: unknown) => () => Promise.resolve(c as Entry);
  zarr.registry.set('zlib', asEntry(zlib));
  zarr.registry.set('numcodecs.zlib', asEntry(zlib));
  zarr.registry.set('gzip', asEntry(gz));
  zarr.registry.set('numcodecs.gzip', asEntry(gz));
  const blosc = () => loadBlosc() as unknown as Promise<Entry>;
  zarr.registry.set('blosc', blosc);
  zarr.registry.set('numcodecs.blosc', blosc);
  const zstd = () => loadZstd() as unknown as Promise<Entry>;
  zarr.registry.set('zstd', zstd);
  zarr.registry.set('numcodecs.zstd', zstd);
}

import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import type { TileDtype, TileTypedArray } from './dtypes.js';
import type { Vec3 } from '../geometry/box.js';
import { registerCodecs } from './register-codecs.js';

registerCodecs();

/**
 * Chunk codecs this project writes. gzip is encoded through node:zlib (zarrita alone cannot);
 * zstd and blosc through numcodecs.js. Sharded arrays are read, never written (zarrita cannot
 * `set` into them).
 */
export type Compressor = 'zstd' | 'blosc-zstd' | 'blosc-lz4' | 'gzip' | 'none';

export const COMPRESSORS: readonly Compressor[] = ['zstd', 'blosc-zstd', 'blosc-lz4', 'gzip', 'none'];

/** Chunks encoded and written at once by writeRegion: bounds memory on big writes. */
export const DEFAULT_WRITE_CONCURRENCY = 8;

export interface CreateArrayOptions {
  shape: number[];
  chunks: number[];
  dtype: TileDtype;
  /** @default 'zstd' */
  compressor?: Compressor;
  fillValue?: number;
  attributes?: Record<string, unknown>;
  dimensionNames?: string[];
}

/**
 * Explicit v3 codec list. zarrita writes an empty list when none is given, which zarr-python cannot
 * read, and it encodes neither gzip nor zlib; zstd and blosc it encodes through numcodecs' wasm builds.
 */
export function codecsFor(compressor: Compressor, dtype: TileDtype): zarr.CodecMetadata[] {
  const bytes: zarr.CodecMetadata = { name: 'bytes', configuration: { endian: 'little' } };
  const typesize = { uint8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 }[dtype];
  switch (compressor) {
    case 'none':
      return [bytes];
    case 'zstd':
      return [bytes, { name: 'zstd', configuration: { level: 3, checksum: false } }];
    case 'gzip':
      return [bytes, { name: 'gzip', configuration: { level: 5 } }];
    case 'blosc-zstd':
    case 'blosc-lz4':
      // The v3 spelling of shuffle (a string); register-codecs.ts maps it to the number numcodecs.js
      // needs, which otherwise encodes silently without shuffle.
      return [
        bytes,
        {
          name: 'blosc',
          configuration: { cname: compressor === 'blosc-zstd' ? 'zstd' : 'lz4', clevel: 5, shuffle: typesize > 1 ? 'shuffle' : 'noshuffle', typesize, blocksize: 0 },
        },
      ];
  }
}

/** Create (or overwrite the metadata of) a Zarr v3 array in a local store. */
export async function createArray(storeRoot: string, path: string, opts: CreateArrayOptions): Promise<zarr.Array<zarr.DataType, FileSystemStore>> {
  const store = new FileSystemStore(storeRoot);
  const loc = zarr.root(store).resolve(path);
  const arr = await zarr.create(loc, {
    shape: opts.shape,
    chunkShape: opts.chunks,
    dtype: opts.dtype as zarr.DataType,
    codecs: codecsFor(opts.compressor ?? 'zstd', opts.dtype),
    fillValue: opts.fillValue ?? 0,
    attributes: opts.attributes ?? {},
    dimensionNames: opts.dimensionNames,
  });
  return arr;
}

/** Create the groups on a path (zarr.json with node_type group), so clients can walk the hierarchy. */
export async function createGroup(storeRoot: string, path: string, attributes: Record<string, unknown> = {}): Promise<void> {
  const store = new FileSystemStore(storeRoot);
  await zarr.create(zarr.root(store).resolve(path), { attributes });
}

/** A p-queue-like queue for zarrita's `set`: it enqueues every chunk at once; at most `limit` run. */
function boundedQueue(limit: number): { add(fn: () => Promise<void>): void; onIdle(): Promise<void[]> } {
  const all: Promise<void>[] = [];
  const waiting: (() => void)[] = [];
  let active = 0;
  // A slot is taken when granted (synchronously), not when the task starts, so `add` called in a
  // loop cannot hand out more than `limit`.
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    add(fn) {
      all.push(
        new Promise<void>((grant) => {
          if (active < limit) {
            active++;
            grant();
          } else waiting.push(grant);
        }).then(() => fn().finally(release)),
      );
    },
    onIdle: () => Promise.all(all),
  };
}

export interface WriteRegionOptions {
  /** Chunks encoded and written at once. @default DEFAULT_WRITE_CONCURRENCY (8) */
  concurrency?: number;
}

/**
 * Write a C-order block at `start` (z, y, x or y, x) into an array. Chunks the block covers only
 * partly are read, merged and rewritten, so concurrent writeRegion calls must not share a chunk.
 */
export async function writeRegion(arr: zarr.Array<zarr.DataType, FileSystemStore>, start: number[], shape: number[], data: TileTypedArray, options: WriteRegionOptions = {}): Promise<void> {
  const selection = start.map((s, i) => zarr.slice(s, s + shape[i]));
  const stride: number[] = new Array(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = acc;
    acc *= shape[i];
  }
  const limit = Math.max(1, options.concurrency ?? DEFAULT_WRITE_CONCURRENCY);
  await zarr.set(arr, selection, { data, shape, stride } as unknown as zarr.Chunk<zarr.DataType>, { createQueue: () => boundedQueue(limit) });
}

export type { Vec3 };

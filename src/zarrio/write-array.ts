import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import type { TileDtype, TileTypedArray } from './dtypes.js';
import type { Vec3 } from '../geometry/box.js';

export type Compressor = 'zstd' | 'blosc-zstd' | 'blosc-lz4' | 'none';

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
    case 'blosc-zstd':
    case 'blosc-lz4':
      // numcodecs (JS and Python) honours the string form of shuffle in v3 metadata.
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

/** Write a C-order block at `start` (z, y, x or y, x) into an array. */
export async function writeRegion(arr: zarr.Array<zarr.DataType, FileSystemStore>, start: number[], shape: number[], data: TileTypedArray): Promise<void> {
  const selection = start.map((s, i) => zarr.slice(s, s + shape[i]));
  const stride: number[] = new Array(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = acc;
    acc *= shape[i];
  }
  await zarr.set(arr, selection, { data, shape, stride } as unknown as zarr.Chunk<zarr.DataType>);
}

export type { Vec3 };

import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import { StitchgraphError } from '../errors.js';
import { isTileDtype, allocTyped, type TileDtype, type TileTypedArray } from './dtypes.js';
import type { Box3, Vec3 } from '../geometry/box.js';

export type Readable = zarr.Readable;

/** A region read from a tile: C-order voxels with shape (z, y, x). */
export interface Region<T extends TileTypedArray = TileTypedArray> {
  data: T;
  shape: Vec3;
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
  /** Read a box (in the tile's own voxel coordinates, must lie inside the tile), touching only its chunks. */
  readRegion(box: Box3): Promise<Region>;
  /** The underlying zarrita array, for adapters (caching, writing). */
  readonly array: zarr.Array<zarr.DataType, Readable>;
}

export function openFileStore(root: string): FileSystemStore {
  return new FileSystemStore(root);
}

function to3(v: readonly number[], what: string, path: string): Vec3 {
  if (v.length === 3) return [v[0], v[1], v[2]];
  if (v.length === 2) return [1, v[0], v[1]];
  throw new StitchgraphError('ArrayShapeError', `Cannot use array "${path}" as a tile: it has ${v.length} dimensions (${what} [${v.join(', ')}]); tiles are 2-D (y, x) or 3-D (z, y, x)`, {
    details: { path, shape: v },
  });
}

/** Open one array of a store as a tile. Errors name the array path. */
export async function openTileArray(store: Readable, path: string, storeLabel = ''): Promise<TileArray> {
  const where = storeLabel ? `${storeLabel}/${path}` : path;
  let arr: zarr.Array<zarr.DataType, Readable>;
  try {
    arr = await zarr.open(zarr.root(store).resolve(path), { kind: 'array' });
  } catch (err) {
    if (zarr.isZarritaError(err, 'NotFoundError') || (err instanceof Error && /not found|ENOENT/i.test(err.message))) {
      throw new StitchgraphError('TileNotFound', `Cannot open tile array "${where}": no Zarr array at that path`, {
        cause: err,
        details: { path: where },
      });
    }
    throw new StitchgraphError('TileNotFound', `Cannot open tile array "${where}": ${(err as Error).message}`, {
      cause: err,
      details: { path: where },
    });
  }
  const dtype = arr.dtype as string;
  if (!isTileDtype(dtype)) {
    throw new StitchgraphError('UnsupportedDtype', `Cannot use array "${where}": data type ${dtype} is not supported (use uint8, uint16, int16, uint32, int32, float32 or float64)`, {
      details: { path: where, dtype },
    });
  }
  const ndim = arr.shape.length;
  const shape = to3(arr.shape, 'shape', where);
  const chunks = to3(arr.chunks, 'chunks', where);
  const fv = arr.fillValue;
  const fillValue = typeof fv === 'number' ? fv : null;
  const zarrVersion: 2 | 3 = 'codecs' in (arr as unknown as { codecs?: unknown }) ? 3 : 3;
  return {
    path: where,
    shape,
    chunks,
    dtype,
    zarrVersion,
    fillValue,
    array: arr,
    async readRegion(box: Box3): Promise<Region> {
      for (let i = 0; i < 3; i++) {
        if (box.start[i] < 0 || box.size[i] < 0 || box.start[i] + box.size[i] > shape[i]) {
          throw new StitchgraphError('InputError', `Cannot read [${box.start}]+[${box.size}] from "${where}": outside the tile's shape [${shape}]`, {
            details: { path: where, box },
          });
        }
      }
      const sel = [0, 1, 2].map((i) => zarr.slice(box.start[i], box.start[i] + box.size[i]));
      const selection = ndim === 2 ? sel.slice(1) : sel;
      if (box.size[0] * box.size[1] * box.size[2] === 0) {
        return { data: allocTyped(dtype, 0), shape: [...box.size] };
      }
      try {
        const out = await zarr.get(arr, selection);
        return { data: out.data as TileTypedArray, shape: [...box.size] };
      } catch (err) {
        throw new StitchgraphError('ChunkDecodeError', `Cannot read [${box.start}]+[${box.size}] from "${where}": ${(err as Error).message}`, {
          cause: err,
          details: { path: where, box },
        });
      }
    },
  };
}

import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Campaign } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import { allocTyped, type TileTypedArray } from '../zarrio/dtypes.js';
import type { TileArray } from '../zarrio/tile-array.js';
import { bdvLevelFactors } from './bdv-levels.js';
import { openTilePyramid } from '../pyramid/open-tile-pyramid.js';

export interface WriteBdvImagesOptions {
  /** Chunk shape (z, y, x) of the copies: one chunk is the unit of memory. @default [64, 128, 128] */
  chunks?: Vec3;
  signal?: AbortSignal;
  /** Called after every tile with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** OME-NGFF 0.4 multiscales of a (t, c, z, y, x) image, as bigdataviewer-omezarr reads it. */
function multiscales(name: string, factors: Vec3[], voxelSize: Vec3): Record<string, unknown> {
  return {
    multiscales: [
      {
        version: '0.4',
        name,
        axes: [
          { name: 't', type: 'time' },
          { name: 'c', type: 'channel' },
          ...['z', 'y', 'x'].map((n) => ({ name: n, type: 'space', unit: 'micrometer' })),
        ],
        datasets: factors.map((f, l) => ({
          path: String(l),
          coordinateTransformations: [
            { type: 'scale', scale: [1, 1, ...f.map((v, a) => v * voxelSize[a])] },
            { type: 'translation', translation: [0, 0, ...f.map((v, a) => ((v - 1) / 2) * voxelSize[a])] },
          ],
        })),
        type: 'mean',
      },
    ],
  };
}

function roundInto(src: Float32Array, dst: TileTypedArray): void {
  const isInt = !(dst instanceof Float32Array || dst instanceof Float64Array);
  for (let i = 0; i < src.length; i++) dst[i] = isInt ? Math.round(src[i]) : src[i];
}

/**
 * One level of one tile, chunk by chunk (chunks already written are kept: a rerun resumes): copied
 * from the tile's pyramid level when one exists (`source` in that level's voxels, f = [1, 1, 1]),
 * else block-averaged by f from the full-resolution tile.
 */
async function writeLevel(tile: TileArray, out: ZarrV2Array, f: Vec3, chunks: Vec3, signal?: AbortSignal): Promise<void> {
  const shape = out.meta.shape.slice(2) as Vec3;
  for (let z = 0; z < shape[0]; z += chunks[0])
    for (let y = 0; y < shape[1]; y += chunks[1])
      for (let x = 0; x < shape[2]; x += chunks[2]) {
        signal?.throwIfAborted();
        if (await out.hasChunk([0, 0, z / chunks[0], y / chunks[1], x / chunks[2]])) continue;
        const size: Vec3 = [Math.min(chunks[0], shape[0] - z), Math.min(chunks[1], shape[1] - y), Math.min(chunks[2], shape[2] - x)];
        const start: Vec3 = [z * f[0], y * f[1], x * f[2]];
        const box = { start, size: start.map((s, a) => Math.min(size[a] * f[a], tile.shape[a] - s)) as Vec3 };
        let data: TileTypedArray;
        if (f.every((v) => v === 1)) data = (await tile.readRegion(box)).data;
        else {
          // Block-averaged while reading: full-resolution voxels are held one chunk at a time.
          const mean = (await tile.readRegion(box, { downsample: f })).data as Float32Array;
          data = allocTyped(tile.dtype, mean.length);
          roundInto(mean, data);
        }
        await out.writeBlock([0, 0, z, y, x], [1, 1, ...size], data);
      }
}

/**
 * Copies of the campaign's tiles that BigStitcher's OME-Zarr loader (`bdv.multimg.zarr`) opens:
 * one OME-Zarr image (t, c, z, y, x; NGFF 0.4, Zarr v2, zlib) per tile in `container`, group
 * path = tile id, with a mean pyramid. The source store is only read. Resumable chunk by chunk.
 * @returns the group path of each tile inside the container.
 */
export async function writeBdvImages(campaign: Campaign, container: string, options: WriteBdvImagesOptions = {}): Promise<Map<string, string>> {
  const chunks = options.chunks ?? [64, 128, 128];
  await mkdir(container, { recursive: true });
  await writeJsonAtomic(join(container, '.zgroup'), { zarr_format: 2 });
  const groups = new Map<string, string>();
  let done = 0;
  for (const t of campaign.tiles) {
    // The tile's own pyramid (stitchgraph's or an OME-Zarr's) when it has one: no level recomputed.
    const pyramid = await openTilePyramid(campaign, t.id);
    const built = pyramid.levels.length > 1;
    const factors = built ? pyramid.levels.map((l) => l.factors) : bdvLevelFactors(t.shape, campaign.voxelSize);
    const group = join(container, t.id);
    await mkdir(group, { recursive: true });
    await writeJsonAtomic(join(group, '.zgroup'), { zarr_format: 2 });
    for (const [l, f] of factors.entries()) {
      const source = built ? pyramid.levels[l].array : pyramid.levels[0].array;
      const shape = built ? source.shape : (t.shape.map((s, a) => Math.ceil(s / f[a])) as Vec3);
      const c = chunks.map((v, a) => Math.min(v, shape[a])) as Vec3;
      const arr = await ZarrV2Array.create(join(group, String(l)), { shape: [1, 1, ...shape], chunks: [1, 1, ...c], dtype: t.dtype, fillValue: 0 });
      await writeLevel(source, arr, built ? [1, 1, 1] : f, c, options.signal);
    }
    // Metadata last: a group with multiscales is complete.
    await writeJsonAtomic(join(group, '.zattrs'), multiscales(t.id, factors, campaign.voxelSize));
    groups.set(t.id, t.id);
    options.onProgress?.(++done, campaign.tiles.length);
  }
  return groups;
}

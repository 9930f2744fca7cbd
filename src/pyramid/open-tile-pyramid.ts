import type { Campaign, TileInfo } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { openFileStore, openTileArray, type TileArray } from '../zarrio/tile-array.js';
import { StitchgraphError } from '../errors.js';
import { pyramidMemo } from './_pyramid-memo.js';
import { readPyramidGroupAttrs } from './_pyramid-layout.js';
import { pyramidStorePath } from './pyramid-store-path.js';

/** One level of a tile's pyramid. */
export interface PyramidLevel {
  /** 0 = the source tile itself. */
  index: number;
  /** Level-0 voxels per voxel of this level, per axis (z, y, x), e.g. [1, 2, 2], [2, 4, 4]. */
  factors: Vec3;
  /** ceil(tile shape / factors) for levels stitchgraph builds; the array's own shape otherwise. */
  shape: Vec3;
  /** readRegion in this level's own voxel coordinates. */
  array: TileArray;
}

/**
 * A tile's levels, finest first (levels[0] is the source tile). A level-k voxel j is the mean of
 * the level-0 voxels [j·f, (j+1)·f) per axis, clipped at the tile edge; its centre sits at level-0
 * coordinate (j + 0.5)·f − 0.5.
 */
export interface TilePyramid {
  tileId: string;
  levels: PyramidLevel[];
}

/** Integer factors of an OME-Zarr dataset from its scale relative to level 0 (else from the shapes). */
function omeFactors(scale0: Vec3 | undefined, scale: Vec3 | undefined, shape0: Vec3, shape: Vec3): Vec3 {
  return [0, 1, 2].map((a) => {
    const r = scale0 && scale ? scale[a] / scale0[a] : shape0[a] / shape[a];
    return Math.max(1, Math.round(r));
  }) as Vec3;
}

async function omeLevels(campaign: Campaign, tile: TileInfo, level0: TileArray): Promise<PyramidLevel[]> {
  const image = tile.multiscales;
  if (!image) return [];
  const scale0 = image.datasets[0].scale;
  const levels: PyramidLevel[] = [];
  for (let i = 1; i < image.datasets.length; i++) {
    const d = image.datasets[i];
    const array = await openTileArray(campaign.store, d.path, campaign.storePath);
    levels.push({ index: i, factors: omeFactors(scale0, d.scale, level0.shape, array.shape), shape: array.shape, array });
  }
  return levels;
}

/** Levels 1..complete of the derived store, when they were built from this very tile. */
async function derivedLevels(campaign: Campaign, tile: TileInfo): Promise<PyramidLevel[]> {
  const store = pyramidStorePath(campaign);
  const attrs = await readPyramidGroupAttrs(store, tile.id);
  if (!attrs || attrs.source.array !== tile.array || attrs.source.store !== campaign.storePath) return [];
  if (attrs.dtype !== tile.dtype || attrs.shape.some((s, a) => s !== tile.shape[a])) return [];
  const fs = openFileStore(store);
  const levels: PyramidLevel[] = [];
  for (let k = 1; k <= attrs.complete; k++) {
    const array = await openTileArray(fs, `${tile.id}/${k}`, store);
    levels.push({ index: k, factors: attrs.factors[k], shape: array.shape, array });
  }
  return levels;
}

async function loadPyramid(campaign: Campaign, tileId: string): Promise<TilePyramid> {
  const tile = campaign.tileById.get(tileId);
  if (!tile) throw new StitchgraphError('TileNotFound', `Cannot open the pyramid of tile "${tileId}": campaign ${campaign.file} has no such tile`, { details: { tile: tileId } });
  const level0 = await campaign.openTile(tileId);
  const first: PyramidLevel = { index: 0, factors: [1, 1, 1], shape: level0.shape, array: level0 };
  const own = await omeLevels(campaign, tile, level0);
  const more = own.length > 0 ? own : await derivedLevels(campaign, tile);
  return { tileId, levels: [first, ...more] };
}

/**
 * A tile's pyramid, memoised per campaign: the levels of the tile's own OME-Zarr multiscale image
 * (when its `array` names one), else the complete levels of the derived pyramid store
 * (`pyramid.store`, default `<workdir>/pyramids.zarr`), else just level 0. Opening reads only
 * metadata. After a build, `forgetTilePyramids(campaign)` makes the next call see the new levels.
 */
export function openTilePyramid(campaign: Campaign, tileId: string): Promise<TilePyramid> {
  let byTile = pyramidMemo.get(campaign);
  if (!byTile) {
    byTile = new Map();
    pyramidMemo.set(campaign, byTile);
  }
  let p = byTile.get(tileId);
  if (!p) {
    p = loadPyramid(campaign, tileId);
    p.catch(() => byTile.delete(tileId));
    byTile.set(tileId, p);
  }
  return p;
}


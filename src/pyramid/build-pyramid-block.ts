import type { Vec3 } from '../geometry/box.js';
import type { Campaign } from '../campaign/open-campaign.js';
import { openCampaignOnce } from '../campaign/open-campaign-once.js';
import { openFileStore, openTileArray, type TileArray } from '../zarrio/tile-array.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import { StitchgraphError } from '../errors.js';
import { blockMeanLevel } from './block-mean-level.js';
import { levelPath } from './_pyramid-layout.js';

/** A `pyramid-block` job: one chunk-aligned block of one level of one tile. Descriptors only. */
export interface PyramidBlockPayload {
  campaign: string;
  tile: string;
  /** The derived pyramid store. */
  store: string;
  /** Level built (≥ 1), from level − 1. */
  level: number;
  /** Block index (z, y, x) in the level's block grid. */
  block: Vec3;
  /** Block shape in voxels of the level (a multiple of its chunk). */
  blockShape: Vec3;
  /** Factors of level − 1 and of level. */
  sourceFactors: Vec3;
  factors: Vec3;
  /** Source chunks decoded at once (part of the memory budget). */
  readConcurrency: number;
}

export interface PyramidBlockResult {
  level: number;
  block: Vec3;
  /** Source bytes read (level − 1, tile dtype). */
  bytesRead: number;
}

/** Campaigns opened by this process: the one per-process cache (a worker serves many blocks of the same campaign). */
function campaignFor(file: string): Promise<Campaign> {
  return openCampaignOnce(file);
}

/** The level read: the source tile for level 1, else the level below in the derived store; no chunk cache (the budget counts every byte). */
async function openSourceLevel(p: PyramidBlockPayload): Promise<{ array: TileArray; tileShape: Vec3; fill: number | undefined }> {
  const campaign = await campaignFor(p.campaign);
  const tile = campaign.tileById.get(p.tile);
  if (!tile) throw new StitchgraphError('TileNotFound', `Cannot build the pyramid of tile "${p.tile}": campaign ${p.campaign} has no such tile`);
  const opts = { cache: null, concurrency: p.readConcurrency };
  const array = p.level === 1 ? await openTileArray(campaign.store, tile.array, campaign.storePath, opts) : await openTileArray(openFileStore(p.store), `${p.tile}/${p.level - 1}`, p.store, opts);
  return { array, tileShape: tile.shape, fill: tile.fillValue };
}

/** Build one block: read its box of level − 1, take the weighted block means, write its chunks (each atomically). */
export async function buildPyramidBlock(p: PyramidBlockPayload, signal?: AbortSignal): Promise<PyramidBlockResult> {
  const { array: source, tileShape, fill } = await openSourceLevel(p);
  const out = await ZarrV2Array.open(levelPath(p.store, p.tile, p.level));
  const levelShape = out.meta.shape as Vec3;
  const start = p.block.map((b, a) => b * p.blockShape[a]) as Vec3;
  const outShape = start.map((s, a) => Math.min(p.blockShape[a], levelShape[a] - s)) as Vec3;
  const step = p.factors.map((f, a) => f / p.sourceFactors[a]) as Vec3;
  const srcStart = start.map((s, a) => s * step[a]) as Vec3;
  const srcSize = srcStart.map((s, a) => Math.min(outShape[a] * step[a], source.shape[a] - s)) as Vec3;
  const region = await source.readRegion({ start: srcStart, size: srcSize }, { signal });
  signal?.throwIfAborted();
  const mean = blockMeanLevel({ data: region.data, shape: srcSize, start: srcStart, factors: p.sourceFactors, step, tileShape, dtype: out.meta.dtype, fill });
  await out.writeBlock(start, mean.shape, mean.data);
  return { level: p.level, block: p.block, bytesRead: region.data.byteLength };
}

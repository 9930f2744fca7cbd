import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Campaign } from '../campaign/open-campaign.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import { StitchgraphError } from '../errors.js';
import type { TilePyramidPlan } from './_plan-tile-pyramid.js';
import { DONE_LOG, PARAMS_FILE, levelPath, pyramidGroupAttrs, readPyramidGroupAttrs, tileGroupPath, type PyramidGroupAttrs } from './_pyramid-layout.js';

/** A tile's group ready to take blocks: what is already complete, and the blocks already written. */
export interface PreparedTileGroup {
  attrs: PyramidGroupAttrs;
  /** Done-log entries (`level:start+shape`) of blocks written by earlier runs. */
  done: Set<string>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Make sure a tile's group in the derived store holds the arrays of this plan: an earlier build of
 * the same plan is resumed (its complete levels and done blocks kept); a different one (another
 * source, shape, dtype, factors or chunks) is removed and started over. A folder that stitchgraph
 * did not write is never removed.
 */
export async function prepareTileGroup(campaign: Campaign, store: string, plan: TilePyramidPlan): Promise<PreparedTileGroup> {
  const { tile, levels } = plan;
  if (tile.id === '.' || tile.id === '..') throw new StitchgraphError('InputError', `Cannot build the pyramid of tile "${tile.id}": the id names a folder of its own; rename the tile`, { details: { tile: tile.id } });
  const dir = tileGroupPath(store, tile.id);
  const identity = { source: { store: campaign.storePath, array: tile.array }, shape: tile.shape, dtype: tile.dtype, fill: tile.fillValue ?? null, factors: levels.map((l) => l.factors), chunk: levels[1].chunk };
  const fingerprint = createHash('sha256').update(JSON.stringify({ ...identity, chunks: levels.map((l) => l.chunk) })).digest('hex').slice(0, 16);
  const previous = await readFile(join(dir, PARAMS_FILE), 'utf8').then((t) => JSON.parse(t) as { fingerprint?: string }, () => undefined);
  if (previous?.fingerprint === fingerprint) {
    const attrs = await readPyramidGroupAttrs(store, tile.id);
    if (attrs?.fingerprint === fingerprint) {
      const text = await readFile(join(dir, DONE_LOG), 'utf8').catch(() => '');
      return { attrs, done: new Set(text.split('\n').filter(Boolean)) };
    }
  }
  if (!previous && (await exists(dir))) {
    throw new StitchgraphError('InputError', `Cannot build the pyramid of tile "${tile.id}" in ${dir}: the folder exists and was not written by stitchgraph (no ${PARAMS_FILE}); remove it or choose another pyramid.store`, { details: { tile: tile.id, dir } });
  }
  await rm(dir, { recursive: true, force: true });
  const attrs: PyramidGroupAttrs = { ...identity, complete: 0, fingerprint };
  await writeJsonAtomic(join(dir, '.zgroup'), { zarr_format: 2 });
  for (const l of levels.slice(1)) {
    await ZarrV2Array.create(levelPath(store, tile.id, l.index), { shape: l.shape, chunks: l.chunk, dtype: tile.dtype, fillValue: 0, compressor: 'zlib' });
  }
  await writeJsonAtomic(join(dir, '.zattrs'), pyramidGroupAttrs(tile.id, campaign.voxelSize, attrs));
  // Written last: a group with params is one whose arrays exist.
  await writeJsonAtomic(join(dir, PARAMS_FILE), { fingerprint, ...identity });
  return { attrs, done: new Set() };
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { readPositionsFile } from '../formats/positions.js';
import { StitchgraphError } from '../errors.js';
import { getLogger } from '../log.js';
import { StitchedVolume, type PlacedTile, type StitchedVolumeOptions } from './stitched-volume.js';
import { openTilePyramid } from '../pyramid/open-tile-pyramid.js';

/**
 * The stitched volume of a campaign at the positions of `positionsPath` (default
 * `<workdir>/positions.json`). Without a positions file (none given and none in the workdir) the
 * tiles sit at their nominal stage positions, with a warning. A tile missing from the file keeps
 * its nominal position. Views of level k read the tiles' pyramid level k when every tile has one
 * with that level's factors (see StitchedVolume.tileLevelsFor).
 */
export async function openStitchedVolume(campaign: Campaign, positionsPath?: string, opts: StitchedVolumeOptions = {}): Promise<StitchedVolume> {
  const log = getLogger();
  const path = positionsPath ?? join(campaign.workdir, 'positions.json');
  let positions: Record<string, { position: Vec3 }> | undefined;
  if (positionsPath !== undefined || existsSync(path)) {
    positions = (await readPositionsFile(path)).tiles;
  } else {
    log.warn({ campaign: campaign.file, positions: path }, 'no positions.json: views use the nominal stage positions (run `stitchgraph optimize` first)');
  }
  const missing: string[] = [];
  const tiles: PlacedTile[] = campaign.tiles.map((info, index) => {
    const p = positions?.[info.id]?.position;
    if (positions && !p) missing.push(info.id);
    if (p && (!Array.isArray(p) || p.length !== 3 || p.some((v) => !Number.isFinite(v)))) {
      throw new StitchgraphError('InputError', `Cannot read ${path}: tile "${info.id}" has position ${JSON.stringify(p)}, expected three finite numbers [z, y, x]`, { details: { file: path, tile: info.id } });
    }
    return { info, index, position: p ? [p[0], p[1], p[2]] : [...info.nominal] };
  });
  if (missing.length) log.warn({ file: path, tiles: missing.slice(0, 10), count: missing.length }, 'tiles missing from positions.json keep their nominal positions');
  // Views of coarser levels compose from the tiles' own pyramids where `stitchgraph pyramid` (or the
  // tiles' OME-Zarr multiscales) provide them.
  const tileLevels = opts.tileLevels ?? (async (id: string) => (await openTilePyramid(campaign, id)).levels);
  return new StitchedVolume(campaign, tiles, { ...opts, tileLevels });
}

import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import type { FijiTileConfiguration } from './parse-tile-configuration.js';

export interface FijiNominalPositions<T extends { id: string; nominal: Vec3 }> {
  /** The tiles, nominal positions replaced by Fiji's where the configuration lists the tile. */
  tiles: T[];
  /** Fiji file name per tile id (for writing the registered configuration back). */
  fileOf: Map<string, string>;
  /** Campaign tiles the configuration does not list (they keep the campaign's nominal position). */
  missing: string[];
}

/** "dir/t_0_1.ome.tif" → "t_0_1": the name without folders and image extensions. */
function stem(file: string): string {
  const base = file.replace(/^.*[\\/]/, '');
  return base.replace(/(\.ome)?\.(tiff?|png|jpe?g|zarr|n5|h5|hdf5|czi|nd2|lsm|ims)$/i, '');
}

/**
 * Use a Fiji TileConfiguration as the source of nominal positions. Each Fiji line is matched to a
 * campaign tile by, in order: the tile id equal to the file name, to the file name without
 * folders and image extension, or the tile's array name (last path part) equal to that stem.
 * A line that matches no tile is an InputError naming it. In a 2-D configuration z keeps the
 * campaign's value.
 */
export function fijiNominalPositions<T extends { id: string; nominal: Vec3; array?: string }>(
  tiles: readonly T[],
  config: FijiTileConfiguration,
  source = 'TileConfiguration.txt',
): FijiNominalPositions<T> {
  const byKey = new Map<string, T>();
  for (const t of tiles) byKey.set(t.id, t);
  for (const t of tiles) {
    const arrayName = t.array?.replace(/^.*\//, '');
    if (arrayName && !byKey.has(arrayName)) byKey.set(arrayName, t);
  }
  const positions = new Map<string, Vec3>();
  const fileOf = new Map<string, string>();
  for (const e of config.entries) {
    const tile = byKey.get(e.file) ?? byKey.get(stem(e.file));
    if (!tile) {
      throw new StitchgraphError('InputError', `Cannot use Fiji tile configuration ${source}: "${e.file}" matches no campaign tile (ids are matched to the file name without folder and extension)`, { details: { file: source, entry: e.file } });
    }
    if (positions.has(tile.id)) {
      throw new StitchgraphError('InputError', `Cannot use Fiji tile configuration ${source}: tile "${tile.id}" is listed twice (as "${fileOf.get(tile.id)}" and "${e.file}")`, { details: { file: source, tile: tile.id } });
    }
    positions.set(tile.id, config.dim === 3 ? e.position : [tile.nominal[0], e.position[1], e.position[2]]);
    fileOf.set(tile.id, e.file);
  }
  const missing = tiles.filter((t) => !positions.has(t.id)).map((t) => t.id);
  return { tiles: tiles.map((t) => (positions.has(t.id) ? { ...t, nominal: positions.get(t.id)! } : t)), fileOf, missing };
}

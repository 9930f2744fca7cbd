import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import type { FijiTileConfiguration, FijiTileEntry } from './parse-tile-configuration.js';

export interface FijiNominalPositions<T extends { id: string; nominal: Vec3 }> {
  /** The tiles, nominal positions replaced by Fiji's where the configuration lists the tile. */
  tiles: T[];
  /** Fiji file name per tile id (for writing the registered configuration back). */
  fileOf: Map<string, string>;
  /** Fiji series index per tile id, for lines of a multi-series file. */
  seriesOf: Map<string, string>;
  /** Campaign tiles the configuration does not list (they keep the campaign's nominal position). */
  missing: string[];
}

/** "dir/t_0_1.ome.tif" → "t_0_1": the name without folders and image extensions. */
function stem(file: string): string {
  const base = file.replace(/^.*[\\/]/, '');
  return base.replace(/(\.ome)?\.(tiff?|png|jpe?g|zarr|n5|h5|hdf5|czi|nd2|lsm|ims)$/i, '');
}

/** Names a Fiji line may use for a tile: its id, its array's name, and the file it was imported from. */
function tileKeys(t: { id: string; array?: string; source?: string }): string[] {
  const keys = [t.id];
  if (t.array) keys.push(t.array.replace(/^.*\//, ''));
  if (t.source) keys.push(t.source.replace(/^.*[\\/]/, ''), stem(t.source));
  return keys;
}

/** Keys a Fiji line is looked up by, most specific first; a series line also by `stem#series` and the like. */
function entryKeys(e: FijiTileEntry): string[] {
  const base = [e.file, e.file.replace(/^.*[\\/]/, ''), stem(e.file)];
  if (e.series === undefined) return base;
  const s = stem(e.file);
  return [`${e.file}#${e.series}`, `${s}#${e.series}`, `${s}_s${e.series}`, `${s}-${e.series}`, `${s}_${e.series}`];
}

/**
 * Use a Fiji TileConfiguration as the source of nominal positions. Each Fiji line is matched to a
 * campaign tile by its file name, with or without folders and image extension, against the tile
 * id, the tile's array name (last path part) and the file the tile was imported from; a line of a
 * multi-series file by `name#series`, `name_s<series>`, `name-<series>` or `name_<series>`.
 * A line that matches no tile is an InputError naming it. In a 2-D configuration z keeps the
 * campaign's value.
 */
export function fijiNominalPositions<T extends { id: string; nominal: Vec3; array?: string; source?: string }>(
  tiles: readonly T[],
  config: FijiTileConfiguration,
  source = 'TileConfiguration.txt',
): FijiNominalPositions<T> {
  const byKey = new Map<string, T>();
  for (const t of tiles) for (const k of tileKeys(t)) if (!byKey.has(k)) byKey.set(k, t);
  const positions = new Map<string, Vec3>();
  const fileOf = new Map<string, string>();
  const seriesOf = new Map<string, string>();
  for (const e of config.entries) {
    const tile = entryKeys(e).map((k) => byKey.get(k)).find((t) => t !== undefined);
    if (!tile) {
      throw new StitchgraphError('InputError', `Cannot use Fiji tile configuration ${source}: "${e.file}" matches no campaign tile (ids are matched to the file name without folder and extension)`, { details: { file: source, entry: e.file } });
    }
    if (positions.has(tile.id)) {
      throw new StitchgraphError('InputError', `Cannot use Fiji tile configuration ${source}: tile "${tile.id}" is listed twice (as "${fileOf.get(tile.id)}" and "${e.file}")`, { details: { file: source, tile: tile.id } });
    }
    positions.set(tile.id, config.dim === 3 ? e.position : [tile.nominal[0], e.position[1], e.position[2]]);
    fileOf.set(tile.id, e.file);
    if (e.series !== undefined) seriesOf.set(tile.id, e.series);
  }
  const missing = tiles.filter((t) => !positions.has(t.id)).map((t) => t.id);
  return { tiles: tiles.map((t) => (positions.has(t.id) ? { ...t, nominal: positions.get(t.id)! } : t)), fileOf, seriesOf, missing };
}

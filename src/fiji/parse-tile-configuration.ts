import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';

/** One tile line of a Fiji TileConfiguration file. */
export interface FijiTileEntry {
  /** Image file name as written (relative to the configuration's folder). */
  file: string;
  /** Series index of a multi-series file, when given (the middle field). */
  series?: string;
  /** Position (z, y, x) in pixels; z = 0 in a 2-D configuration. Fiji writes (x, y[, z]). */
  position: Vec3;
}

export interface FijiTileConfiguration {
  dim: 2 | 3;
  entries: FijiTileEntry[];
}

/**
 * Parse the text of a Fiji Grid/Collection stitching `TileConfiguration.txt` (or
 * `TileConfiguration.registered.txt`): `#` comments, a `dim = 2|3` line, then one line per tile
 * `file; series; (x, y[, z])` with the series usually empty. Coordinates are in pixels, x first;
 * they are returned (z, y, x) as everywhere in stitchgraph.
 * (Format: S. Preibisch, Fiji Stitching plugin, https://imagej.net/plugins/image-stitching.)
 *
 * @param source names the file in error messages.
 */
export function parseTileConfiguration(text: string, source = 'TileConfiguration.txt'): FijiTileConfiguration {
  let dim: 2 | 3 | undefined;
  const entries: FijiTileEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const where = `${source}:${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const dimMatch = /^dim\s*=\s*(\S+)$/i.exec(line);
    if (dimMatch) {
      const d = Number(dimMatch[1]);
      if (d !== 2 && d !== 3) throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${where}: dim must be 2 or 3, not "${dimMatch[1]}"`, { details: { file: source, line: i + 1 } });
      dim = d;
      return;
    }
    const parts = line.split(';');
    if (parts.length !== 3) throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${where}: expected "file; series; (x, y, z)", got "${line}"`, { details: { file: source, line: i + 1 } });
    if (dim === undefined) throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${where}: tile lines before the "dim = 2|3" line`, { details: { file: source, line: i + 1 } });
    const file = parts[0].trim();
    const series = parts[1].trim();
    const coords = /^\(\s*([^)]*)\)$/.exec(parts[2].trim());
    const values = coords ? coords[1].split(',').map((v) => Number(v.trim())) : [];
    if (!file || !coords || values.length !== dim || values.some((v) => !Number.isFinite(v))) {
      throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${where}: expected "file; ; (${dim === 3 ? 'x, y, z' : 'x, y'})" with ${dim} numbers, got "${line}"`, { details: { file: source, line: i + 1 } });
    }
    const position: Vec3 = dim === 3 ? [values[2], values[1], values[0]] : [0, values[1], values[0]];
    entries.push({ file, ...(series ? { series } : {}), position });
  });
  if (dim === undefined) throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${source}: no "dim = 2|3" line (is this a TileConfiguration file?)`, { details: { file: source } });
  if (entries.length === 0) throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${source}: no tile lines`, { details: { file: source } });
  return { dim, entries };
}

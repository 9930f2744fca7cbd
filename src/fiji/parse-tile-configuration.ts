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
  /** `multiseries = true`: each line is one series (middle field) of a multi-series file. */
  multiSeries?: boolean;
  entries: FijiTileEntry[];
}

function inputError(source: string, line: number | undefined, reason: string): StitchgraphError {
  const where = line === undefined ? source : `${source}:${line}`;
  return new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${where}: ${reason}`, { details: { file: source, ...(line === undefined ? {} : { line }) } });
}

interface ParseState {
  dim?: 2 | 3;
  multiSeries: boolean;
  lastFile?: string;
  entries: FijiTileEntry[];
}

/** `key = value` header lines Fiji reads: `dim` and `multiseries`. Returns false for other lines. */
function parseHeaderLine(line: string, state: ParseState, source: string, lineNo: number): boolean {
  const m = /^(dim|multiseries)\s*=\s*(.*)$/i.exec(line);
  if (!m) return false;
  const value = m[2].trim();
  if (m[1].toLowerCase() === 'dim') {
    const d = Number(value);
    if (d !== 2 && d !== 3) throw inputError(source, lineNo, `dim must be 2 or 3, not "${value}"`);
    state.dim = d;
  } else {
    if (!/^(true|false)$/i.test(value)) throw inputError(source, lineNo, `multiseries must be true or false, not "${value}"`);
    state.multiSeries = value.toLowerCase() === 'true';
  }
  return true;
}

function parseTileLine(line: string, state: ParseState, source: string, lineNo: number): FijiTileEntry {
  const parts = line.split(';');
  if (parts.length !== 3) throw inputError(source, lineNo, `expected "file; series; (x, y, z)", got "${line}"`);
  if (state.dim === undefined) throw inputError(source, lineNo, 'tile lines before the "dim = 2|3" line');
  const dim = state.dim;
  // Fiji: in a multi-series file an empty name continues the previous line's file.
  const file = parts[0].trim() || (state.multiSeries ? state.lastFile ?? '' : '');
  const series = parts[1].trim();
  const coords = /^\(\s*([^)]*)\)$/.exec(parts[2].trim());
  const values = coords ? coords[1].split(',').map((v) => Number(v.trim())) : [];
  if (!file || !coords || values.length !== dim || values.some((v) => !Number.isFinite(v))) {
    throw inputError(source, lineNo, `expected "file; ; (${dim === 3 ? 'x, y, z' : 'x, y'})" with ${dim} numbers, got "${line}"`);
  }
  if (state.multiSeries && !/^\d+$/.test(series)) throw inputError(source, lineNo, `multiseries = true needs a series index (a whole number) in the middle field, got "${series}"`);
  state.lastFile = file;
  const position: Vec3 = dim === 3 ? [values[2], values[1], values[0]] : [0, values[1], values[0]];
  return { file, ...(series ? { series } : {}), position };
}

/**
 * Parse the text of a Fiji Grid/Collection stitching `TileConfiguration.txt` (or
 * `TileConfiguration.registered.txt`) as Fiji's own reader does: `#` comments and lines of up to
 * 3 characters skipped, a `dim = 2|3` line, an optional `multiseries = true|false` line (then the
 * middle field is the series index, and an empty file name repeats the previous file), then one
 * line per tile `file; series; (x, y[, z])`. Coordinates are in pixels, x first; they are
 * returned (z, y, x) as everywhere in stitchgraph.
 * (Format: S. Preibisch, Fiji Stitching plugin, https://imagej.net/plugins/image-stitching.)
 *
 * @param source names the file in error messages.
 */
export function parseTileConfiguration(text: string, source = 'TileConfiguration.txt'): FijiTileConfiguration {
  const state: ParseState = { multiSeries: false, entries: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.length <= 3 || line.startsWith('#')) return;
    if (parseHeaderLine(line, state, source, i + 1)) return;
    state.entries.push(parseTileLine(line, state, source, i + 1));
  });
  if (state.dim === undefined) throw inputError(source, undefined, 'no "dim = 2|3" line (is this a TileConfiguration file?)');
  if (state.entries.length === 0) throw inputError(source, undefined, 'no tile lines');
  return { dim: state.dim, entries: state.entries, ...(state.multiSeries ? { multiSeries: true } : {}) };
}

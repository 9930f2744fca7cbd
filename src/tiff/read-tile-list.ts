import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { StitchgraphError } from '../errors.js';
import type { ImportTile } from './import-tiff-campaign.js';

/**
 * Read a tile list CSV for import: a header row naming the columns `file` and `y`, `x`
 * (required), `z` and `id` (optional: z = 0; id = the file name without extension), any others
 * ignored. Files are relative to the CSV. Blank lines and lines starting with # are skipped.
 */
export async function readTileList(csvPath: string): Promise<ImportTile[]> {
  const failAt = (reason: string, line?: number) =>
    new StitchgraphError('InputError', `Cannot read tile list ${csvPath}${line ? ` line ${line}` : ''}: ${reason}`, { details: { file: csvPath, line } });
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch (err) {
    throw failAt((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  const rows = text
    .split(/\r?\n/)
    .map((l, i) => ({ cells: l.split(',').map((c) => c.trim()), line: i + 1, raw: l.trim() }))
    .filter((r) => r.raw !== '' && !r.raw.startsWith('#'));
  if (rows.length < 2) throw failAt('needs a header row and at least one tile');
  const header = rows[0].cells.map((c) => c.toLowerCase());
  const col = (name: string, required: boolean): number => {
    const i = header.indexOf(name);
    if (i < 0 && required) throw failAt(`no "${name}" column (header: ${header.join(', ')}; need file, y, x and optionally id, z)`, rows[0].line);
    return i;
  };
  const [fi, zi, yi, xi, ii] = [col('file', true), col('z', false), col('y', true), col('x', true), col('id', false)];
  const base = dirname(resolve(csvPath));
  return rows.slice(1).map(({ cells, line }) => {
    const num = (i: number, name: string): number => {
      if (i < 0) return 0;
      const v = Number(cells[i]);
      if (cells[i] === undefined || cells[i] === '' || !Number.isFinite(v)) throw failAt(`${name} "${cells[i] ?? ''}" is not a number`, line);
      return v;
    };
    const file = cells[fi];
    if (!file) throw failAt('empty file cell', line);
    const id = ii >= 0 && cells[ii] ? cells[ii] : basename(file).replace(/\.(tiff?|png|jpe?g)$/i, '');
    return { id, file: resolve(base, file), position: [num(zi, 'z'), num(yi, 'y'), num(xi, 'x')] };
  });
}

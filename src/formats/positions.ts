import { readFile } from 'node:fs/promises';
import type { Vec3 } from '../geometry/box.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { StitchgraphError } from '../errors.js';

export interface TilePosition {
  position: Vec3;
  /** Connected group index (0 = the largest). */
  group: number;
  /** True when no accepted link placed it: kept at its nominal position. */
  nominal_only?: boolean;
}

/** Contract: ARCHITECTURE.md, `positions.json`. */
export interface PositionsFile {
  tiles: Record<string, TilePosition>;
  residuals: Record<string, unknown>;
  [extra: string]: unknown;
}

export async function readPositionsFile(path: string): Promise<PositionsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StitchgraphError('InputError', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (run `stitchgraph optimize` first)' : String(err)}`, { cause: err, details: { file: path } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StitchgraphError('InputError', `Cannot read ${path}: not valid JSON (${(err as Error).message})`, { cause: err, details: { file: path } });
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as PositionsFile).tiles !== 'object') {
    throw new StitchgraphError('InputError', `Cannot read ${path}: expected an object with a "tiles" map`, { details: { file: path } });
  }
  return parsed as PositionsFile;
}

export async function writePositionsFile(path: string, file: PositionsFile): Promise<void> {
  await writeJsonAtomic(path, file);
}

import type { Vec3 } from '../geometry/box.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { readJsonFile } from '../files/read-json-file.js';
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
  const parsed = await readJsonFile(path, 'run `stitchgraph optimize` first');
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as PositionsFile).tiles !== 'object') {
    throw new StitchgraphError('InputError', `Cannot read ${path}: expected an object with a "tiles" map`, { details: { file: path } });
  }
  return parsed as PositionsFile;
}

export async function writePositionsFile(path: string, file: PositionsFile): Promise<void> {
  await writeJsonAtomic(path, file);
}

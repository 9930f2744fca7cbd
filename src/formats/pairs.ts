import type { Vec3 } from '../geometry/box.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { readJsonFile } from '../files/read-json-file.js';
import { StitchgraphError } from '../errors.js';

/** One measured pair (contract: ARCHITECTURE.md, `pairs.json`). */
export interface PairRecord {
  a: string;
  b: string;
  /** Measured position(b) - position(a), voxels, sub-voxel. Nominal difference when rejected. */
  shift: Vec3;
  /** Normalised cross-correlation over the actual overlap at the chosen shift. */
  correlation: number;
  status: 'ok' | 'rejected';
  /** Why a pair was rejected (absent when ok). */
  reason?: string;
  /** Overlap size (voxels along z, y, x) at the measured shift. */
  overlap?: Vec3;
  /** Ratio of the best phase-correlation peak to the next one. */
  peak_ratio?: number;
  /** Nominal position(b) - position(a), for reference. */
  nominal_shift?: Vec3;
  /** Hash of the inputs that produced this record (tile positions, shapes, parameters): resume key. */
  key?: string;
  /** Wall time of the job, seconds (a timing field; differs run to run). */
  seconds?: number;
  [extra: string]: unknown;
}

export interface PairsFile {
  pairs: PairRecord[];
  /** Threshold actually used (may be estimated per campaign). */
  min_correlation?: number;
  [extra: string]: unknown;
}

export async function readPairsFile(path: string): Promise<PairsFile> {
  const parsed = await readJsonFile(path, 'run `stitchgraph register` first');
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as PairsFile).pairs)) {
    throw new StitchgraphError('InputError', `Cannot read ${path}: expected an object with a "pairs" array`, { details: { file: path } });
  }
  return parsed as PairsFile;
}

export async function writePairsFile(path: string, file: PairsFile): Promise<void> {
  await writeJsonAtomic(path, file);
}

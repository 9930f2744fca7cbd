/**
 * One tile pair: choose the level (choose-coarse-level.ts), read the two grown overlap boxes at it,
 * build their validity masks (field of view, NaN, fill value) and register them
 * (register-regions.ts); above level 0, refine at full resolution in small windows
 * (_coarse-to-fine-pair.ts). The translation between the boxes becomes the pair's shift
 * position(b) − position(a) in the global frame. This is what a worker runs.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import type { PairRecord } from '../formats/pairs.js';
import type { Region } from '../zarrio/tile-array.js';
import { validMask } from './valid-mask.js';
import { registerRegions, type RegionRegistration } from './register-regions.js';
import { pairLevelPlan } from './pair-level-plan.js';
import type { LevelSourceBase } from './tile-levels.js';
import { coarseToFinePair } from './_coarse-to-fine-pair.js';

/** Parameters of the pair registration (the resolved `registration:` settings that matter per pair). */
export interface PairParams {
  downsample: Vec3;
  peaks: number;
  apodization: number;
  peak_smoothing: number;
  min_correlation: number;
  min_isotropy: number;
  subvoxel: 'gradient' | 'quadratic' | 'none';
  /** Absent in descriptors written before coarse-to-fine: the defaults apply. */
  coarse_voxels?: number;
  windows?: number;
  window_size?: number;
  memory_mb?: number;
}

/** The JSON descriptor of a `register-pair` job: no voxel data, the worker reads the store. */
export interface PairJobPayload {
  /** Absolute path of the campaign YAML. */
  campaign: string;
  a: string;
  b: string;
  /** Boxes to read, each in its tile's own voxel coordinates. */
  boxA: Box3;
  boxB: Box3;
  nominalShift: Vec3;
  margin: Vec3;
  minOverlap: Vec3;
  params: PairParams;
  /** Resume key, copied into the record. */
  key: string;
  /** A permutation-test sample: boxB deliberately does not overlap boxA's content. */
  sample?: 'null';
}

/** What registerPair needs to know of a tile. */
export interface PairTileSource {
  shape: Vec3;
  fieldOfView: 'full' | 'cylinder';
  fillValue?: number;
  /** A box of level 0; `downsample` block-averages while reading (chunk by chunk). */
  readRegion(box: Box3, options?: { downsample?: Vec3 }): Promise<Region>;
  /** Stored resolution levels, level 0 first (a pyramid); absent: level 0 only, coarser ones averaged while reading. */
  levels?: LevelSourceBase[];
}

export const round = (v: number, digits: number): number => {
  const m = 10 ** digits;
  return Math.round(v * m) / m;
};

/** The pair's record from a region registration of boxes starting at oA and oB (in their tiles). */
export function pairRecord(job: PairJobPayload, res: RegionRegistration, oA: Vec3, oB: Vec3, factors: Vec3 = [1, 1, 1]): PairRecord {
  // b's box voxel j sits on a's box voxel j + t  ⇔  shift = (t + oA − oB)·f (level voxel centres at (j + ½)f − ½ on both sides).
  const measured = res.translation ? ([0, 1, 2].map((ax) => round((res.translation![ax] + oA[ax] - oB[ax]) * factors[ax], 4)) as Vec3) : null;
  const record: PairRecord = {
    a: job.a,
    b: job.b,
    shift: res.status === 'ok' && measured ? measured : [...job.nominalShift],
    correlation: round(Number.isFinite(res.correlation) ? res.correlation : 0, 6),
    status: res.status,
    ...(res.reason ? { reason: res.reason } : {}),
    overlap: res.overlap.map((v, ax) => v * factors[ax]) as Vec3,
    peak_ratio: round(res.peakRatio, 4),
    nominal_shift: [...job.nominalShift],
    key: job.key,
    voxels: res.voxels,
    candidates: res.candidates,
    isotropy: round(res.isotropy, 4),
    refined: res.refined,
  };
  if (res.status === 'rejected' && measured) record.measured_shift = measured;
  return record;
}

/** The whole overlap at full resolution (small overlaps: what registration always did). */
async function fullResolutionPair(job: PairJobPayload, tileA: PairTileSource, tileB: PairTileSource): Promise<PairRecord> {
  const [ra, rb] = await Promise.all([tileA.readRegion(job.boxA), tileB.readRegion(job.boxB)]);
  const maskA = validMask(ra.data, ra.shape, { regionStart: job.boxA.start, tileShape: tileA.shape, fieldOfView: tileA.fieldOfView, fillValue: tileA.fillValue });
  const maskB = validMask(rb.data, rb.shape, { regionStart: job.boxB.start, tileShape: tileB.shape, fieldOfView: tileB.fieldOfView, fillValue: tileB.fillValue });
  const oA = job.boxA.start, oB = job.boxB.start;
  const expected = [0, 1, 2].map((ax) => job.nominalShift[ax] - oA[ax] + oB[ax]) as Vec3;
  const res = registerRegions(
    { data: ra.data, shape: ra.shape, mask: maskA },
    { data: rb.data, shape: rb.shape, mask: maskB },
    {
      downsample: job.params.downsample,
      peaks: job.params.peaks,
      apodization: job.params.apodization,
      peakSmoothing: job.params.peak_smoothing,
      minIsotropy: job.params.min_isotropy,
      minCorrelation: job.sample === 'null' ? -1 : job.params.min_correlation,
      minOverlap: job.minOverlap,
      expected,
      margin: job.margin,
      subvoxel: job.params.subvoxel,
    },
  );
  return { ...pairRecord(job, res, oA, oB), level: 0 };
}

export async function registerPair(job: PairJobPayload, tileA: PairTileSource, tileB: PairTileSource): Promise<PairRecord> {
  const plan = pairLevelPlan(job, tileA, tileB);
  if (plan.choice.level === 0) return fullResolutionPair(job, tileA, tileB);
  return coarseToFinePair(job, tileA, tileB, plan);
}

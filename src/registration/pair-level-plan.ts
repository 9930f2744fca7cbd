/**
 * The plan of one pair job within its memory budget: the level its overlap is phase correlated at
 * (choose-coarse-level.ts) and the size of its refinement windows. Throws, naming the pair and the
 * budget, when no level or window size fits: pure, so the campaign checks every pair before any work.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import { chooseCoarseLevel, REGISTRATION_BYTES_PER_VOXEL, type LevelChoice } from './choose-coarse-level.js';
import { levelFactors } from './tile-levels.js';

export const PLAN_DEFAULTS = { coarse_voxels: 32768, windows: 8, window_size: 64, memory_mb: 1536 } as const;
/** Smallest refinement window extent a budget may shrink windows to. */
const MIN_WINDOW = 16;

export interface PairPlanInput {
  a: string;
  b: string;
  boxA: Box3;
  boxB: Box3;
  params: { coarse_voxels?: number; window_size?: number; memory_mb?: number };
}

export interface PairPlanTile {
  shape: Vec3;
  levels?: readonly { factors: Vec3 }[];
}

export interface PairLevelPlan {
  choice: LevelChoice;
  /** Level-0 voxels per level voxel at the chosen level. */
  factors: Vec3;
  /** Window extent per axis (before clipping to the overlap). */
  windowSize: number;
  /** Window search radius per axis around the coarse shift, voxels. */
  windowMargin: Vec3;
}

export function pairLevelPlan(job: PairPlanInput, tileA: PairPlanTile, tileB: PairPlanTile): PairLevelPlan {
  const budgetMb = job.params.memory_mb ?? PLAN_DEFAULTS.memory_mb;
  const budget = budgetMb * 2 ** 20;
  const extent = [0, 1, 2].map((ax) => Math.min(job.boxA.size[ax], job.boxB.size[ax])) as Vec3;
  const factors = levelFactors(extent, tileA.levels?.map((l) => l.factors) ?? [[1, 1, 1]]);
  const geometry = factors.map((f) => ({
    factors: f,
    shapeA: tileA.shape.map((s, ax) => Math.ceil(s / f[ax])) as Vec3,
    shapeB: tileB.shape.map((s, ax) => Math.ceil(s / f[ax])) as Vec3,
  }));
  const choice = chooseCoarseLevel(geometry, job.boxA, job.boxB, job.params.coarse_voxels ?? PLAN_DEFAULTS.coarse_voxels, budget);
  const fail = (what: string): never => {
    throw new StitchgraphError('InputError', `Cannot register pair ${job.a}–${job.b}: ${what} does not fit registration.memory_mb = ${budgetMb} MiB`, {
      details: { a: job.a, b: job.b, memory_mb: budgetMb },
    });
  };
  if (!choice) return fail('its overlap at the coarsest level');
  const f = factors[choice.level];
  const windowMargin = f.map((v, ax) => (extent[ax] > 1 ? v + 2 : 0)) as Vec3;
  let windowSize = job.params.window_size ?? PLAN_DEFAULTS.window_size;
  const windowBytes = (w: number): number =>
    REGISTRATION_BYTES_PER_VOXEL * [0, 1, 2].reduce((p, ax) => p * Math.min(w, extent[ax]), 1) +
    REGISTRATION_BYTES_PER_VOXEL * [0, 1, 2].reduce((p, ax) => p * (Math.min(w, extent[ax]) + 2 * windowMargin[ax]), 1);
  while (choice.level > 0 && windowBytes(windowSize) > budget && windowSize > MIN_WINDOW) windowSize = Math.max(MIN_WINDOW, Math.floor(windowSize / 2));
  if (choice.level > 0 && windowBytes(windowSize) > budget) fail(`a refinement window of ${windowSize} voxels`);
  return { choice, factors: f, windowSize, windowMargin };
}

/**
 * Which level a pair's overlap is phase correlated at: the coarsest whose overlap box still holds
 * `coarseVoxels` voxels (enough signal for the phase correlation and its NCC checks), made coarser
 * while the step would not fit the memory budget. Level 0 when even level 0 holds fewer voxels: the
 * whole overlap is then registered at full resolution, with no refinement windows.
 */
import type { Box3, Vec3 } from '../geometry/box.js';

/** Bytes a region registration holds per voxel of its two boxes (centred copies, smoothing, masks, FFT, reads). */
export const REGISTRATION_BYTES_PER_VOXEL = 36;

/** A level-0 box as the box of level voxels that cover it, clipped to the level's shape. */
export function levelBox(box: Box3, factors: Vec3, shape: Vec3): Box3 {
  const start = [0, 1, 2].map((ax) => Math.floor(box.start[ax] / factors[ax])) as Vec3;
  const end = [0, 1, 2].map((ax) => Math.min(shape[ax], Math.ceil((box.start[ax] + box.size[ax]) / factors[ax]))) as Vec3;
  return { start, size: [0, 1, 2].map((ax) => end[ax] - start[ax]) as Vec3 };
}

export interface LevelChoice {
  level: number;
  boxA: Box3;
  boxB: Box3;
  /** Estimated bytes of the step at this level. */
  bytes: number;
}

export interface LevelGeometry {
  factors: Vec3;
  shapeA: Vec3;
  shapeB: Vec3;
}

const voxels = (b: Box3): number => b.size[0] * b.size[1] * b.size[2];

/** Null when no level fits `budgetBytes`. */
export function chooseCoarseLevel(levels: readonly LevelGeometry[], boxA: Box3, boxB: Box3, coarseVoxels: number, budgetBytes: number): LevelChoice | null {
  const at = levels.map((l, level): LevelChoice => {
    const a = levelBox(boxA, l.factors, l.shapeA), b = levelBox(boxB, l.factors, l.shapeB);
    return { level, boxA: a, boxB: b, bytes: REGISTRATION_BYTES_PER_VOXEL * (voxels(a) + voxels(b)) };
  });
  let k = 0;
  for (let i = 1; i < at.length; i++) if (Math.min(voxels(at[i].boxA), voxels(at[i].boxB)) >= coarseVoxels) k = i;
  while (k < at.length && at[k].bytes > budgetBytes) k++;
  return k < at.length ? at[k] : null;
}

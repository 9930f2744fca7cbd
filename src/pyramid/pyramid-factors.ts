import type { Vec3 } from '../geometry/box.js';
import { shapeAtFactors } from './_shape-at-factors.js';

export interface PyramidFactorsOptions {
  /** Levels are added until the coarsest one's largest axis is at most this. @default 32 */
  minSize?: number;
  /** Most levels, level 0 included. @default 10 */
  maxLevels?: number;
}

/**
 * An axis is halved at a level when its voxel there is less than this many times the finest
 * axis's voxel: anisotropic tiles become isotropic first, then all axes halve together
 * (BigStitcher's resave proposes its mipmaps the same way).
 */
const ANISOTROPY_TOLERANCE = 1.5;

/**
 * Downsampling factors (level-0 voxels per voxel, z, y, x) of every pyramid level of a tile,
 * level 0 ([1, 1, 1]) first. Each level halves the axes whose voxels (voxelSize × factor) are
 * within 1.5× of the finest, and never an axis already one voxel thick (a 2-D tile stays 2-D).
 * Levels stop when the largest axis of the coarsest level is at most `minSize` voxels.
 *
 * Example: voxel size [1, 0.65, 0.65] → [1,1,1], [1,2,2], [2,4,4], [4,8,8] ...
 */
export function pyramidFactors(shape: Vec3, voxelSize: Vec3, options: PyramidFactorsOptions = {}): Vec3[] {
  const { minSize = 32, maxLevels = 10 } = options;
  const levels: Vec3[] = [[1, 1, 1]];
  for (;;) {
    const f = levels[levels.length - 1];
    const levelShape = shapeAtFactors(shape, f);
    if (levels.length >= maxLevels || Math.max(...levelShape) <= minSize) break;
    const size = voxelSize.map((v, a) => v * f[a]);
    const finest = Math.min(...size.filter((_, a) => levelShape[a] > 1));
    const next = f.map((v, a) => (levelShape[a] > 1 && size[a] < finest * ANISOTROPY_TOLERANCE ? v * 2 : v)) as Vec3;
    levels.push(next);
  }
  return levels;
}

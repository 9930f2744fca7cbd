import type { Vec3 } from '../geometry/box.js';

/**
 * Cumulative downsampling factors (z, y, x) of a BigDataViewer pyramid for a tile: each level
 * halves the axes whose voxels are not already much coarser than the finest axis (as
 * BigStitcher's resave proposes for anisotropic stacks), until the tile's largest axis is at most
 * `smallest` voxels or `maxLevels` levels exist. Level 0 is [1, 1, 1].
 */
export function bdvLevelFactors(shape: Vec3, voxelSize: Vec3, smallest = 64, maxLevels = 8): Vec3[] {
  const levels: Vec3[] = [[1, 1, 1]];
  for (;;) {
    const f = levels[levels.length - 1];
    const size = shape.map((s, a) => Math.ceil(s / f[a]));
    if (levels.length >= maxLevels || Math.max(...size) <= smallest) return levels;
    const vox = voxelSize.map((v, a) => v * f[a]);
    const finest = Math.min(...vox);
    const next = f.map((v, a) => (vox[a] < 1.5 * finest && size[a] > 1 ? v * 2 : v)) as Vec3;
    levels.push(next);
  }
}

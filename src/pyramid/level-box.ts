import type { Box3, Vec3 } from '../geometry/box.js';

/**
 * The box of a pyramid level (factors f) whose voxels cover a box given in level-0 voxels:
 * start ⌊s/f⌋, end ⌈e/f⌉, clipped to the level's shape. Its level-0 footprint may be up to f − 1
 * voxels larger on each side; a level voxel j sits at level-0 coordinate (j + 0.5)·f − 0.5.
 */
export function levelBox(box0: Box3, factors: Vec3, levelShape: Vec3): Box3 {
  const start = box0.start.map((s, a) => Math.min(Math.max(0, Math.floor(s / factors[a])), levelShape[a])) as Vec3;
  const end = box0.start.map((s, a) => Math.min(Math.max(0, Math.ceil((s + box0.size[a]) / factors[a])), levelShape[a])) as Vec3;
  return { start, size: end.map((e, a) => Math.max(0, e - start[a])) as Vec3 };
}

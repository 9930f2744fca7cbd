import type { Box3, Vec3 } from '../geometry/box.js';

/** Voxels sampled per overlap for the intensity model (about 48³, or a 330² patch of a 2-D mosaic). */
export const INTENSITY_SAMPLE_VOXELS = 48 ** 3;

/**
 * The central part of an overlap box holding at most `budget` voxels: the longest axes are
 * shortened first, so a thin 2-D seam keeps its whole width and as much length as the budget allows.
 */
export function intensitySampleBox(box: Box3, budget: number = INTENSITY_SAMPLE_VOXELS): Box3 {
  const size = [...box.size] as Vec3;
  while (size[0] * size[1] * size[2] > budget) {
    const ax = size.indexOf(Math.max(...size));
    const others = size.reduce((p, s, i) => (i === ax ? p : p * s), 1);
    size[ax] = Math.max(1, Math.min(size[ax] - 1, Math.floor(budget / others)));
    if (size.every((s) => s === 1)) break;
  }
  const start = box.start.map((s, ax) => s + Math.floor((box.size[ax] - size[ax]) / 2)) as Vec3;
  return { start, size };
}

import type { Vec3 } from '../geometry/box.js';

/**
 * Nominal positions of a regular grid of equal tiles, C order over (z, y, x) grid indices; the same
 * rule as a campaign's `grid:` form (index × shape × (1 − overlap), rounded).
 */
export function gridPositions(grid: Vec3, tileShape: Vec3, overlap: number | Vec3): { index: Vec3; position: Vec3 }[] {
  const ov: Vec3 = typeof overlap === 'number' ? [overlap, overlap, overlap] : overlap;
  const out: { index: Vec3; position: Vec3 }[] = [];
  for (let z = 0; z < grid[0]; z++)
    for (let y = 0; y < grid[1]; y++)
      for (let x = 0; x < grid[2]; x++) {
        const idx: Vec3 = [z, y, x];
        out.push({ index: idx, position: [0, 1, 2].map((a) => Math.round(idx[a] * tileShape[a] * (1 - ov[a]))) as Vec3 });
      }
  return out;
}


import { describe, expect, it } from 'vitest';
import { findOverlaps } from '../../src/registration/find-overlaps.js';
import { selectPairs } from '../../src/registration/select-pairs.js';
import { RegistrationSettingsSchema } from '../../src/campaign/sections/registration.js';
import type { Vec3 } from '../../src/geometry/box.js';

const defaults = RegistrationSettingsSchema.parse({});
const faces = (a: string, b: string): boolean => [...a].reduce((s, c, i) => s + (c === b[i] ? 0 : 1), 0) === 1;

function grid(nz: number, ny: number, nx: number, shape: Vec3, step: Vec3) {
  const tiles = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) tiles.push({ id: `${z}${y}${x}`, nominal: [z * step[0], y * step[1], x * step[2]] as Vec3, shape });
  return tiles;
}

describe('selectPairs', () => {
  it('keeps the face pairs of a 3-D grid and drops its edge and corner slivers by default', () => {
    const all = findOverlaps(grid(2, 3, 3, [64, 256, 256], [56, 225, 225]), defaults);
    expect(all).toHaveLength(89);
    const kept = selectPairs(all, defaults.min_overlap_share);
    expect(kept).toHaveLength(33);
    expect(kept.every((p) => faces(p.a, p.b))).toBe(true);
    // Campaign order is kept.
    expect(kept).toEqual(all.filter((p) => kept.includes(p)));
  });

  it('keeps every pair at 0, and a sliver that alone connects two tiles', () => {
    const all = findOverlaps(grid(1, 2, 2, [1, 100, 100], [0, 90, 90]), defaults);
    expect(selectPairs(all, 0)).toHaveLength(all.length);
    // Without the face pairs of tile 011, only its corner sliver links it to 000.
    const cut = all.filter((p) => !(p.b === '011' && faces(p.a, p.b)) && !(p.a === '011' && faces(p.a, p.b)));
    const kept = selectPairs(cut, defaults.min_overlap_share);
    expect(kept.some((p) => p.a === '000' && p.b === '011')).toBe(true);
  });
});

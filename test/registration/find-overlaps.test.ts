import { describe, expect, it } from 'vitest';
import { findOverlaps } from '../../src/registration/find-overlaps.js';
import { RegistrationSettingsSchema } from '../../src/campaign/sections/registration.js';
import type { Vec3 } from '../../src/geometry/box.js';

const defaults = RegistrationSettingsSchema.parse({});

describe('findOverlaps', () => {
  it('finds face and corner pairs of a grid, with boxes grown by the default margin and clipped to the tile', () => {
    const tiles = [];
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) tiles.push({ id: `t${y}${x}`, nominal: [0, y * 90, x * 90] as Vec3, shape: [40, 100, 100] as Vec3 });
    const pairs = findOverlaps(tiles, defaults);
    // 3 + 4 face pairs... 2 rows × 2 in x, 3 columns in y = 7; 4 corner pairs.
    expect(pairs.length).toBe(11);
    const p = pairs.find((q) => q.a === 't00' && q.b === 't01')!;
    expect(p.nominalShift).toEqual([0, 0, 90]);
    expect(p.overlap).toEqual([40, 100, 10]);
    // Margin: 10 % of the extent, at least 16 voxels: z 16 (40 → 4 < 16), y/x 16 (100 → 10 < 16).
    expect(p.margin).toEqual([16, 16, 16]);
    expect(p.boxA).toEqual({ start: [0, 0, 74], size: [40, 100, 26] });
    expect(p.boxB).toEqual({ start: [0, 0, 0], size: [40, 100, 26] });
    // Tiles two columns apart do not overlap.
    expect(pairs.some((q) => q.a === 't00' && q.b === 't02')).toBe(false);
  });

  it('gives flat axes no margin (2-D), honours an explicit margin and the minimum overlap', () => {
    const tiles = [
      { id: 'a', nominal: [0, 0, 0] as Vec3, shape: [1, 200, 300] as Vec3 },
      { id: 'b', nominal: [0, 5, 280] as Vec3, shape: [1, 200, 300] as Vec3 },
      { id: 'c', nominal: [0, 199, 0] as Vec3, shape: [1, 200, 300] as Vec3 },
    ];
    const pairs = findOverlaps(tiles, defaults);
    const ab = pairs.find((q) => q.a === 'a' && q.b === 'b')!;
    expect(ab.margin).toEqual([0, 20, 30]);
    expect(ab.boxA.start[0]).toBe(0);
    expect(ab.boxA.size[0]).toBe(1);
    // a–c overlap by one row: under 2 % of 200 rows.
    expect(pairs.some((q) => q.b === 'c' && q.a === 'a')).toBe(false);
    const explicit = findOverlaps(tiles, { ...defaults, search_margin: [0, 8, 8], min_overlap: 1 });
    expect(explicit.find((q) => q.a === 'a' && q.b === 'b')!.margin).toEqual([0, 8, 8]);
    expect(explicit.some((q) => q.a === 'a' && q.b === 'c')).toBe(true);
  });
});

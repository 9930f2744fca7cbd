import { describe, it, expect } from 'vitest';
import { layoutConsistency } from '../../src/registration/layout-consistency.js';
import type { PairRecord } from '../../src/formats/pairs.js';
import type { Vec3 } from '../../src/geometry/box.js';

const pair = (a: string, b: string, nominal: Vec3, shift: Vec3, correlation = 0.9): PairRecord => ({ a, b, nominal_shift: nominal, shift, correlation, status: 'ok' });

describe('layoutConsistency', () => {
  it('a right 1×6 row (small stage error) raises nothing', () => {
    const pairs = [0, 1, 2, 3, 4].map((i) => pair(`t${i}`, `t${i + 1}`, [0, 0, 100], [0, 0.3 * (i % 3) - 0.3, 100 + 0.5 * (i % 2)], 0.8 + 0.02 * i));
    expect(layoutConsistency(pairs).warnings).toEqual([]);
  });

  it('names the tiles of a pair that deviates from the nominal layout far more than the others', () => {
    const pairs = [0, 1, 2, 3, 4].map((i) => pair(`t${i}`, `t${i + 1}`, [0, 0, 100], [0, 0.2 * (i % 2), 100 + 0.3 * (i % 3)]));
    pairs[2] = pair('t2', 't3', [0, 0, 100], [0, 9, 87]);
    const c = layoutConsistency(pairs);
    expect(c.outliers.map((o) => `${o.a}-${o.b}`)).toEqual(['t2-t3']);
    expect(c.warnings[0]).toMatch(/^layout: 1 accepted pair\(s\) disagree with the nominal layout .* t2–t3 by \[0, 9, -13\]\. Tiles t2, t3: check the tile order/);
  });

  it('finds a loop of a 2×2 grid that does not close', () => {
    // t00 → t01 → t11 and t00 → t10 → t11 must agree; one pair is 6 voxels off.
    const pairs = [
      pair('t00', 't01', [0, 0, 100], [0, 0, 100]),
      pair('t00', 't10', [0, 100, 0], [0, 100, 0]),
      pair('t01', 't11', [0, 100, 0], [0, 100, 0]),
      pair('t10', 't11', [0, 0, 100], [0, 0, 106]),
    ];
    const c = layoutConsistency(pairs);
    expect(c.openLoops).toHaveLength(1);
    expect(c.openLoops[0].misclosure).toBeCloseTo(6, 5);
    expect(c.warnings.join('\n')).toMatch(/the loop of pairs .*t00.*does not close \(off by 6 voxels\)/);
  });
});

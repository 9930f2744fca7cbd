import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { formatPairSummary } from '../../src/registration/format-pair-summary.js';
import { cutTile, gridPaper, writeMosaicCampaign, type FixtureTile } from '../helpers/mosaic-fixture.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-defaults-'));

/** A row of tiles cut from one sheet at `trueX`, listed at the regular stage positions `nominalX`. */
async function row(seed: number, h: number, w: number, trueX: number[], nominalX: number[], registration: Record<string, unknown>, period = 20) {
  const imgW = Math.max(...trueX) + w;
  const img = gridPaper(h, imgW, seed, period);
  const tiles: FixtureTile[] = trueX.map((x, i) => ({ id: `t${i}`, data: cutTile(img, imgW, 0, x, h, w), h, w, position: [0, 0, nominalX[i]] }));
  return writeMosaicCampaign(tmp(), tiles, { registration });
}

describe('a correct, strong peak just past the search margin (issue 15, failure 2)', () => {
  // 200-pixel tiles: the default margin is 10 % = 20 px. Tile t1 truly sits 23 px left of its stage
  // position. Grid lines every 50 px, so no alias of the true match falls inside the first margin.
  const trueX = [0, 137, 297], nominalX = [0, 160, 320];

  it('is rejected when the search may not widen, and the summary names the pair, the reason and the option', async () => {
    const yaml = await row(11, 200, 200, trueX, nominalX, { downsample: [1, 1, 1], search_margin_widen: 1 }, 50);
    const res = await registerCampaign(yaml);
    const p01 = res.pairs.pairs.find((p) => p.a === 't0' && p.b === 't1')!;
    expect(p01).toMatchObject({ status: 'rejected', reason: 'shift beyond the search margin' });
    expect(p01.hint).toMatch(/registration\.search_margin: \[0, \d+, \d+\]/);
    const lines = formatPairSummary(res.pairs).join('\n');
    expect(lines).toContain('rejected t0–t1');
    expect(lines).toContain('registration.search_margin');
  });

  it('is kept by default: the pair is searched again with a wider margin and lands on the true shift', async () => {
    const yaml = await row(11, 200, 200, trueX, nominalX, { downsample: [1, 1, 1] }, 50);
    const res = await registerCampaign(yaml);
    for (const [a, b] of [['t0', 't1'], ['t1', 't2']]) {
      const p = res.pairs.pairs.find((q) => q.a === a && q.b === b)!;
      expect({ pair: `${a}-${b}`, status: p.status, reason: p.reason }).toMatchObject({ status: 'ok' });
      const truth = trueX[Number(b[1])] - trueX[Number(a[1])];
      expect(Math.abs(p.shift[2] - truth)).toBeLessThan(1);
      expect(Math.abs(p.shift[1])).toBeLessThan(1);
      // Only t0–t1 (23 px off) needed the wider search (twice the default margin).
      expect(p.search_margin).toEqual(a === 't0' ? [0, 40, 40] : undefined);
    }
    expect(formatPairSummary(res.pairs)[0]).toMatch(/2 of 2 pairs accepted \(1 after a wider search/);
    // A rerun reuses the widened results.
    const again = await registerCampaign(yaml);
    expect(again.computed).toBe(0);
    expect(again.pairs.pairs.map((p) => p.status)).toEqual(['ok', 'ok']);
  });
});

describe('threshold: permutation on rows and thin campaigns (issue 15, failure 4)', () => {
  it('a 1×10 row collects null samples and learns a threshold above chance', async () => {
    const n = 10, w = 120, step = 100;
    const x = Array.from({ length: n }, (_, i) => i * step);
    const yaml = await row(21, 120, w, x, x, { downsample: [1, 1, 1], threshold: 'permutation', permutation_samples: 9 });
    const res = await registerCampaign(yaml);
    const nulls = res.pairs.null_samples as { correlation: number }[];
    expect(nulls.length).toBeGreaterThanOrEqual(5);
    expect(res.warnings.filter((w) => w.startsWith('threshold'))).toEqual([]);
    expect(res.pairs.min_correlation).toBeGreaterThan(0.3);
    expect(res.pairs.pairs.filter((p) => p.status === 'ok').length).toBe(n - 1);
  });

  it('says why when it cannot: two tiles overlapping by 70 % leave no unrelated region', async () => {
    const yaml = await row(22, 100, 100, [0, 30], [0, 30], { downsample: [1, 1, 1], threshold: 'permutation' });
    const res = await registerCampaign(yaml);
    expect(res.warnings.join('\n')).toMatch(/threshold: permutation found no region for a null sample.*min_correlation 0\.3 is used/);
    expect(res.pairs.warnings).toEqual(res.warnings);
  });
});

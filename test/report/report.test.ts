import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG_SIGNATURE_CHECK, decodeScreenshotStats } from '../helpers/png-stats.js';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { writeReport } from '../../src/report/write-report.js';
import type { PairsFile } from '../../src/formats/pairs.js';
import type { PositionsFile } from '../../src/formats/positions.js';
import { launchChromium } from '../helpers/chromium.js';

describe('report.html', () => {
  it('renders in headless Chromium with its charts drawn', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sg-report-'));
    const syn = await synthCampaign({ outDir: out, grid: [1, 2, 2], tileShape: [8, 48, 48], seed: 2 });
    const campaign = await openCampaign(syn.configPath);
    const ids = campaign.tiles.map((t) => t.id);
    const truth = syn.truth.tiles;
    // Pairs and positions made from the truth: a report of a perfect stitch, with one rejected pair.
    const pairs: PairsFile = {
      pairs: [
        [ids[0], ids[1]], [ids[0], ids[2]], [ids[1], ids[3]], [ids[2], ids[3]], [ids[0], ids[3]],
      ].map(([a, b], i) => ({
        a, b,
        shift: [0, 1, 2].map((k) => truth[b].position[k] - truth[a].position[k]) as [number, number, number],
        correlation: i === 4 ? 0.05 : 0.6 + 0.1 * i,
        status: i === 4 ? 'rejected' : 'ok',
        ...(i === 4 ? { reason: 'correlation 0.050 below 0.3' } : {}),
      })),
      min_correlation: 0.3,
    };
    const positions: PositionsFile = {
      tiles: Object.fromEntries(ids.map((id) => [id, { position: truth[id].position, group: 0 }])),
      residuals: { links: pairs.pairs.slice(0, 4).map((p, i) => ({ a: p.a, b: p.b, residual: 0.1 * (i + 1) })) },
    };
    const path = await writeReport({
      campaign, pairs, positions,
      network: { summary: { total_length_um: 1234.5, n_branches: 40, n_junctions: 12 }, branchRadii: [1.5, 2, 2.2, 2.5, 3, 3.1], degrees: { '1': 20, '3': 12, '4': 1 } },
      stages: { register: { status: 'ran', seconds: 1.2 } },
    });
    expect(existsSync(path)).toBe(true);
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('4 of 5 pairs accepted');
    expect(html).not.toMatch(/src="http|href="http/); // self-contained
    for (const f of ['layout-top.svg', 'correlations.svg', 'residuals.svg', 'radius-histogram.svg', 'degree-chart.svg']) {
      expect(existsSync(join(campaign.workdir, 'report', f))).toBe(true);
    }

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 1800 } });
      await page.goto(`file://${path}`);
      for (const sel of ['svg.layout-top', 'svg.hist-correlation', 'svg.hist-residual', 'svg.hist-radius', 'svg.bars-degree']) {
        const el = page.locator(sel);
        await expect(el.count()).resolves.toBe(1);
        const shot = await el.screenshot();
        expect(shot.subarray(0, 8).equals(PNG_SIGNATURE_CHECK)).toBe(true);
        const stats = decodeScreenshotStats(shot);
        // A drawn chart has ink: a good share of pixels that are neither white nor near-white, in colour.
        expect(stats.nonWhiteFraction, sel).toBeGreaterThan(0.01);
        expect(stats.colouredFraction, sel).toBeGreaterThan(0.002);
      }
      // The four accepted links are drawn in colour; the rejected one dotted.
      await expect(page.locator('svg.layout-top line.link-ok').count()).resolves.toBe(4);
      await expect(page.locator('svg.layout-top line.link-rejected').count()).resolves.toBe(1);
    } finally {
      await browser.close();
    }
  });
});

import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, repoRoot } from '../helpers/run-cli.js';
import { openCampaign, type Campaign } from '../../src/campaign/open-campaign.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { pyramidCampaign } from './_pyramid-helpers.js';
import { buildPyramids } from '../../src/pyramid/build-pyramids.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';

function doneLines(store: string, campaign: Campaign): number {
  return campaign.tiles.reduce((n, t) => {
    const f = join(store, t.id, '.stitchgraph-pyramid-done.log');
    return n + (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0);
  }, 0);
}

/** Start `stitchgraph pyramid` and SIGKILL it once `killAt` blocks are logged (or let it finish). */
function pyramidKilledAt(file: string, store: string, campaign: Campaign, killAt: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'pyramid', file, '--workers', '1'], { cwd: repoRoot, stdio: 'ignore', env: { ...process.env, STITCHGRAPH_LOG_FORMAT: 'json' } });
    let killed = false;
    const timer = setInterval(() => {
      if (!killed && doneLines(store, campaign) >= killAt) {
        killed = child.kill('SIGKILL');
      }
    }, 20);
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(timer);
      resolve({ killed });
    });
  });
}

async function levelData(file: string): Promise<number[][]> {
  const campaign = await openCampaign(file);
  const out: number[][] = [];
  for (const t of campaign.tiles) {
    for (const l of (await openTilePyramid(campaign, t.id)).levels.slice(1)) out.push(Array.from((await l.array.readRegion({ start: [0, 0, 0], size: l.shape })).data));
  }
  return out;
}

describe('stitchgraph pyramid', () => {
  it('builds, reports levels and throughput, and resumes after SIGKILL with the result of an undisturbed build', async () => {
    // The undisturbed build, in-process.
    const clean = await pyramidCampaign({ seed: 9, tileShape: [16, 128, 96] }, { memory_mb: 1.2 });
    const total = (await buildPyramids(clean, new InlineExecutor())).computed;
    expect(total).toBeGreaterThan(8);
    const expected = await levelData(clean.file);

    // The same campaign through the CLI, killed (SIGKILL: no cleanup at all) part-way through, then rerun.
    const campaign = await pyramidCampaign({ seed: 9, tileShape: [16, 128, 96] }, { memory_mb: 1.2 });
    const store = join(campaign.workdir, 'pyramids.zarr');
    const { killed } = await pyramidKilledAt(campaign.file, store, campaign, Math.floor(total / 4));
    const before = doneLines(store, campaign);
    if (killed) expect(before).toBeLessThan(total);
    const r = await runCli(['pyramid', campaign.file, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(store);
    expect(r.stderr).toMatch(/2 tiles: \d+ blocks built, \d+ kept, .* MB\/s of source tiles/);
    const logs = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = logs.find((l) => l.msg === 'pyramids built');
    expect(summary?.throughput_mb_s).toBeGreaterThan(0);
    expect(logs.filter((l) => l.msg === 'tile pyramid').map((l) => l.levels)).toEqual([6, 6]);
    // Only the blocks the killed run had not logged are computed (complete levels are not even listed).
    expect(Number(summary?.computed)).toBe(total - before);
    expect(await levelData(campaign.file)).toEqual(expected);
  });
});

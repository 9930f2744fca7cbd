/**
 * Pyramid build throughput and peak memory: a synthetic campaign (uint16, blosc-zstd tiles as
 * `synth` writes them) built by `buildCampaignPyramids` in a fresh process, twice (cold, then the
 * rerun that finds everything complete). Prints MB/s of source tiles, blocks, levels, max RSS.
 *
 * Uses dist/ when built (npm run build), as the CLI does.
 * Run: npx tsx bench/pyramid/build-throughput.ts [tile=64,256,256] [grid=1,1,2] [workers=2] [memory_mb=256]
 * At scale: npx tsx bench/pyramid/build-throughput.ts 192,1024,1024 1,2,2 2 256
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { existsSync } from 'node:fs';
import type { Vec3 } from '../../src/geometry/box.js';

const vec3 = (s: string): Vec3 => s.split(',').map(Number) as Vec3;

/** The built modules when dist/ exists (what `npx stitchgraph` runs: no TypeScript loading in the worker threads), else the sources. */
async function modules(): Promise<{ openCampaign: typeof import('../../src/campaign/open-campaign.js').openCampaign; buildCampaignPyramids: typeof import('../../src/pyramid/build-campaign-pyramids.js').buildCampaignPyramids }> {
  const dist = new URL('../../dist/', import.meta.url);
  const root = existsSync(new URL('pyramid/build-campaign-pyramids.js', dist)) ? dist : new URL('../../src/', import.meta.url);
  const ext = root === dist ? 'js' : 'ts';
  const { openCampaign } = (await import(new URL(`campaign/open-campaign.${ext}`, root).href)) as typeof import('../../src/campaign/open-campaign.js');
  const { buildCampaignPyramids } = (await import(new URL(`pyramid/build-campaign-pyramids.${ext}`, root).href)) as typeof import('../../src/pyramid/build-campaign-pyramids.js');
  return { openCampaign, buildCampaignPyramids };
}

async function child(file: string, workers: number): Promise<void> {
  const { openCampaign, buildCampaignPyramids } = await modules();
  const campaign = await openCampaign(file);
  const r = await buildCampaignPyramids(campaign, { workers });
  process.stdout.write(
    JSON.stringify({ seconds: r.seconds, sourceMiB: r.sourceBytes / 2 ** 20, readMiB: r.bytesRead / 2 ** 20, computed: r.computed, levels: Math.max(...r.tiles.map((t) => t.levels)), peakJobMiB: r.peakJobBytes / 2 ** 20, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
}

async function main(): Promise<void> {
  const [tile = '64,256,256', grid = '1,1,2', workers = '2', memory = '256'] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-pyramid-'));
  try {
    const synth = await synthCampaign({ outDir: dir, tileShape: vec3(tile), grid: vec3(grid), seed: 1, extraConfig: { pyramid: { memory_mb: Number(memory) } } });
    const rows: string[] = [];
    for (const run of ['cold', 'rerun']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', synth.configPath, workers], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number>;
      const mbps = j.sourceMiB / j.seconds;
      rows.push(`| ${tile} × ${grid} | ${run} | ${j.levels} | ${j.computed} | ${j.sourceMiB.toFixed(0)} | ${j.seconds.toFixed(2)} | ${run === 'cold' ? mbps.toFixed(1) : '—'} | ${j.peakJobMiB.toFixed(0)} | ${j.maxRssMiB.toFixed(0)} |`);
    }
    console.log(`workers ${workers}, pyramid.memory_mb ${memory}\n\n| tiles | run | levels | blocks | source MiB | seconds | MiB/s | planned job MiB | max RSS MiB (process, worker threads included) |\n|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]));
else await main();

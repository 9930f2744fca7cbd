// Benchmark of lazy views and fusion (issue #6). Run: npx tsx bench/view/bench-view.ts
// Prints, side by side in one run: view latency (512x512 plane, 128^3 block; cold and warm cache),
// fuse throughput against raw tile read throughput of the same tiles (the limit), and the peak
// memory of fuse at two volume sizes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { writePositionsFile } from '../../src/formats/positions.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';
import { fuseVolume } from '../../src/stitch/fuse-volume.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import type { Vec3 } from '../../src/geometry/box.js';

async function campaignWithTruth(name: string, grid: Vec3, tileShape: Vec3, cacheMb: number) {
  const outDir = mkdtempSync(join(tmpdir(), `sg-bench-view-${name}-`));
  const t0 = performance.now();
  const s = await synthCampaign({ outDir, name, grid, tileShape, seed: 2, extraConfig: { fusion: { cache_mb: cacheMb } } });
  const positions = join(outDir, 'out', 'positions.json');
  await writePositionsFile(positions, { tiles: Object.fromEntries(Object.entries(s.truth.tiles).map(([id, t]) => [id, { position: t.position, group: 0 }])), residuals: {} });
  return { config: s.configPath, positions, synthSeconds: (performance.now() - t0) / 1000 };
}

const ms = (t0: number) => (performance.now() - t0).toFixed(0);
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(s + '\n');
};

// 1. Latency and throughput on one campaign: 1 x 3 x 3 tiles of 128 x 224 x 224 (about 128 x 580 x 580 voxels).
const big = await campaignWithTruth('latency', [1, 3, 3], [128, 224, 224], 1024);
say(`campaign: 9 tiles of 128x224x224 uint16 (synth ${big.synthSeconds.toFixed(1)} s)`);
{
  const campaign = await openCampaign(big.config);
  const volume = await openStitchedVolume(campaign, big.positions);
  let t0 = performance.now();
  const model = await volume.intensity();
  say(`intensity model (from ${volume.overlappingPairs().length} overlaps, applied: ${model.helps}): ${ms(t0)} ms`);
  const c = volume.origin.map((o, a) => o + Math.floor(volume.shape[a] / 2)) as Vec3;
  const cases: [string, Vec3, Vec3][] = [
    ['512x512 plane', [c[0], c[1] - 256, c[2] - 256], [1, 512, 512]],
    ['128^3 block', [c[0] - 64, c[1] - 64, c[2] - 64], [128, 128, 128]],
  ];
  say('');
  say('| view (cosine blend, nearest) | cold cache (ms) | warm cache (ms) |');
  say('|---|---|---|');
  // Medians of 5, the machine being shared.
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(0);
  for (const [label, pos, size] of cases) {
    const cold: number[] = [], warm: number[] = [];
    for (let r = 0; r < 5; r++) {
      volume.cache.clear();
      t0 = performance.now();
      await volume.getView(pos, size);
      cold.push(performance.now() - t0);
      t0 = performance.now();
      await volume.getView(pos, size);
      warm.push(performance.now() - t0);
    }
    say(`| ${label} | ${median(cold)} | ${median(warm)} |`);
  }

  // Raw read of every tile (zarrita, whole tiles), then fusion of level 0 only of the same tiles.
  const tileVoxels = campaign.tiles.reduce((s, t) => s + t.shape[0] * t.shape[1] * t.shape[2], 0);
  t0 = performance.now();
  for (const t of campaign.tiles) await (await campaign.openTile(t.id)).readRegion({ start: [0, 0, 0], size: t.shape });
  const rawS = (performance.now() - t0) / 1000;
  const fuseCampaign = await openCampaign(big.config);
  const fuseVolumeInst = await openStitchedVolume(fuseCampaign, big.positions);
  // The intensity model is estimated once per volume, before the blocks: not part of the block rate.
  await fuseVolumeInst.intensity();
  t0 = performance.now();
  await fuseVolume(fuseVolumeInst, new InlineExecutor(), { positions: big.positions, levels: 1, dtype: 'tile' });
  const fuseS = (performance.now() - t0) / 1000;
  const outVoxels = volume.shape[0] * volume.shape[1] * volume.shape[2];
  say('');
  say('| throughput | seconds | tile voxels/s (M) | output voxels/s (M) |');
  say('|---|---|---|---|');
  say(`| raw read of all tiles (zarrita, limit) | ${rawS.toFixed(2)} | ${(tileVoxels / rawS / 1e6).toFixed(1)} | - |`);
  say(`| fuse level 0 (inline executor, uint16, blosc-lz4) | ${fuseS.toFixed(2)} | ${(tileVoxels / fuseS / 1e6).toFixed(1)} | ${(outVoxels / fuseS / 1e6).toFixed(1)} |`);
}

// 2. Peak memory of fuse (whole pyramid) at two volume sizes, each in its own process, 16 MiB chunk cache
//    (small, so that both volumes fill it and what is left to compare is everything else).
say('');
say('| fuse peak memory | volume voxels (M) | blocks | seconds | peak RSS (MiB) |');
say('|---|---|---|---|---|');
for (const [label, grid] of [
  ['2x2x2 tiles of 64x128x128', [2, 2, 2]],
  ['3x5x5 tiles of 64x128x128', [3, 5, 5]],
] as [string, Vec3][]) {
  const c = await campaignWithTruth('mem', grid, [64, 128, 128], 16);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fuse-peak-memory.ts'), c.config, c.positions], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { voxels: number; blocks: number; seconds: number; maxRssMiB: number };
  say(`| ${label} | ${(r.voxels / 1e6).toFixed(1)} | ${r.blocks} | ${r.seconds.toFixed(1)} | ${r.maxRssMiB.toFixed(0)} |`);
}

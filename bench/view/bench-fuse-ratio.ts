// Fuse throughput against raw read+decode throughput of the same tiles (issue #14).
// Run: npx tsx bench/view/bench-fuse-ratio.ts [campaign.yaml [positions.json]] [--levels N] [--workers N] [--make DIR]
// Without a campaign, a synthetic one (2 x 2 x 2 tiles of 64 x 256 x 256, blosc-zstd) is made in a
// temporary directory. Prints seconds, voxels/s and the ratio fuse / raw (issue asks ≥ 0.5),
// and the peak RSS of this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { writePositionsFile } from '../../src/formats/positions.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';
import { fuseVolume } from '../../src/stitch/fuse-volume.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { createExecutor } from '../../src/distributed/create-executor.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { allocTyped, type TileTypedArray } from '../../src/zarrio/dtypes.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { levels: { type: 'string' }, workers: { type: 'string' }, tile: { type: 'string' }, make: { type: 'string' } } });
let [config, positions] = positionals as [string | undefined, string | undefined];
if (!config) {
  // --make DIR: the synthetic campaign in DIR, kept (pass DIR/fuse-ratio.yaml DIR/out/positions.json to later runs for A/B).
  const outDir = values.make ?? mkdtempSync(join(tmpdir(), 'sg-bench-fuse-'));
  const tileShape = (values.tile ?? '64,256,256').split(',').map(Number) as Vec3;
  const s = await synthCampaign({ outDir, name: 'fuse-ratio', grid: [2, 2, 2], tileShape, seed: 3 });
  positions = join(outDir, 'out', 'positions.json');
  await writePositionsFile(positions, { tiles: Object.fromEntries(Object.entries(s.truth.tiles).map(([id, t]) => [id, { position: t.position, group: 0 }])), residuals: {} });
  config = s.configPath;
}
const campaign = await openCampaign(config);
const tileVoxels = campaign.tiles.reduce((s, t) => s + t.shape[0] * t.shape[1] * t.shape[2], 0);

// Raw read + decode: every tile whole, one after the other, no cache (the decode pool's strips),
// by our reader at its fastest: the decode pool and its WebAssembly already started (one tile read
// before, untimed: fusion finds them started too) and each tile read into one reused array
// (`into`, as zarr-python's `out=`; a fresh 32 MiB array per read costs ~1/3 more CPU in page faults).
// CPU seconds (all threads of this process) are printed beside wall seconds: on a loaded machine
// they compare the work done more steadily than the wall clock.
const reused = new Map<string, TileTypedArray>();
const readWhole = async (t: (typeof campaign.tiles)[number], fresh: boolean) => {
  const arr = await campaign.openTile(t.id);
  const n = t.shape[0] * t.shape[1] * t.shape[2];
  const key = `${arr.dtype}:${n}`;
  if (!reused.has(key)) reused.set(key, allocTyped(arr.dtype, n));
  await arr.readRegion({ start: [0, 0, 0], size: t.shape }, { cache: null, into: fresh ? undefined : reused.get(key) });
};
const cpu = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const timeReads = async (fresh: boolean) => {
  const c = process.cpuUsage(), t = performance.now();
  for (const tile of campaign.tiles) await readWhole(tile, fresh);
  return { s: (performance.now() - t) / 1000, cpu: cpu(process.cpuUsage(c)) };
};
await readWhole(campaign.tiles[0], false);
// Also with a fresh array per tile (readRegion's default), printed for comparison.
const freshRead = await timeReads(true);
const { s: rawS, cpu: rawCpu } = await timeReads(false);
reused.clear();

const volume = await openStitchedVolume(campaign, positions);
await volume.intensity();
const out = mkdtempSync(join(tmpdir(), 'sg-bench-fuse-out-'));
const workers = values.workers === undefined ? 0 : Number(values.workers);
const executor = workers > 0 ? await createExecutor(campaign.config.distributed, { workers }, { campaignFile: campaign.file }) : new InlineExecutor();
const c0 = process.cpuUsage();
const t0 = performance.now();
const res = await fuseVolume(volume, executor, { positions: positions ?? null, out: join(out, 'fused.ome.zarr'), dtype: 'tile', levels: values.levels === undefined ? undefined : Number(values.levels) });
const fuseS = (performance.now() - t0) / 1000;
// Worker threads of a local executor count; worker processes would not (the local executor uses threads).
const fuseCpu = cpu(process.cpuUsage(c0));
await executor.close();
rmSync(out, { recursive: true, force: true });
const outVoxels = volume.shape[0] * volume.shape[1] * volume.shape[2];
const mv = (n: number, s: number) => (n / s / 1e6).toFixed(1);
process.stdout.write(`tiles: ${campaign.tiles.length}, tile voxels ${(tileVoxels / 1e6).toFixed(1)} M, fused volume ${volume.shape.join('x')} (${(outVoxels / 1e6).toFixed(1)} M), levels ${res.levels}, executor ${workers > 0 ? `local x${workers}` : 'inline'}\n`);
process.stdout.write(`raw read+decode: ${rawS.toFixed(2)} s (CPU ${rawCpu.toFixed(2)} s), ${mv(tileVoxels, rawS)} M tile voxels/s (decode pool warm, into a reused array)\n`);
process.stdout.write(`  (a fresh array per tile: ${freshRead.s.toFixed(2)} s, CPU ${freshRead.cpu.toFixed(2)} s; ratio fuse/that ${(freshRead.cpu / fuseCpu).toFixed(2)} CPU)\n`);
process.stdout.write(`fuse (all levels): ${fuseS.toFixed(2)} s (CPU ${fuseCpu.toFixed(2)} s), ${mv(tileVoxels, fuseS)} M tile voxels/s, ${mv(outVoxels, fuseS)} M output voxels/s\n`);
process.stdout.write(`ratio fuse/raw (tile voxels/s): ${(rawS / fuseS).toFixed(2)} wall, ${(rawCpu / fuseCpu).toFixed(2)} CPU\n`);
process.stdout.write(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);

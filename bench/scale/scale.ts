/**
 * Registration at scale: two synthetic campaigns whose tiles differ 8× in voxels (default 1×2×2
 * tiles of 96×512×512 and of 192×1024×1024, overlap 0.12), as a user runs them:
 *
 *   stitchgraph synth --grid 1,2,2 --tile D,H,W --overlap 0.12 --out DIR
 *   /usr/bin/time -v stitchgraph pyramid DIR/synth.yaml            (when the command exists)
 *   /usr/bin/time -v stitchgraph register DIR/synth.yaml --workers 2 --force
 *
 * Prints peak RSS and wall of each step, the pyramid throughput, the bytes registration reads per
 * pair, and a projection to the brain campaign (10×10×10 tiles of 2160×2560×2560 uint16): worker-
 * hours for pyramids and registration at the measured rates, and the bytes read.
 *
 *   npm run build && npx tsx bench/scale/scale.ts [--small 96,512,512] [--large 192,1024,1024] [--grid 1,2,2] [--overlap 0.12] [--workers 2] [--keep DIR]
 *
 * `--cli PATH` runs another build's CLI (e.g. main's dist/cli/main.js) for an A/B on kept campaigns.
 * `--keep DIR` keeps the campaigns (with their pyramids) under DIR and reuses them on the next run:
 * synth and pyramid are then skipped (no pyramid figures), so register can be A/B tested quickly.
 *
 * Target (issue 13): register peak RSS of the larger ≤ 1.3× the smaller and < 1 GB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { findOverlaps, type OverlapTile } from '../../src/registration/find-overlaps.js';
import { pairLevelPlan } from '../../src/registration/pair-level-plan.js';
import { RegistrationSettingsSchema } from '../../src/campaign/sections/registration.js';
import type { PairsFile } from '../../src/formats/pairs.js';
import type { Vec3 } from '../../src/geometry/box.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliArg = process.argv.indexOf('--cli');
/** `--cli PATH`: another build's dist/cli/main.js (A/B against a branch on the kept campaigns). */
const cli = cliArg >= 0 ? process.argv[cliArg + 1] : join(root, 'dist', 'cli', 'main.js');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const vec = (s: string): Vec3 => s.split(',').map(Number) as Vec3;
const grid = arg('grid', '1,2,2'), overlap = arg('overlap', '0.12'), workers = arg('workers', '2');
const keep = process.argv.includes('--keep') ? arg('keep', '') : undefined;
const BRAIN = { grid: [10, 10, 10] as Vec3, tile: [2160, 2560, 2560] as Vec3, bytes: 2 };

interface Measured {
  ok: boolean;
  wall_s: number;
  rss_mb: number;
  cpu_s: number;
  stderr: string;
}

/** One CLI step under /usr/bin/time -v: wall, user+system CPU and peak RSS. */
function step(args: string[]): Measured {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const num = (re: RegExp): number => Number(re.exec(r.stderr)?.[1] ?? NaN);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const wall_s = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return { ok: r.status === 0, wall_s, rss_mb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024, cpu_s: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/), stderr: r.stderr };
}

const hasPyramid = /^\s+pyramid\b/m.test(spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }).stdout);

/** Voxels a pair job reads: the coarse boxes at their level and the windows (a's, and b's grown). */
function pairReadVoxels(p: { a: string; b: string; boxA: { start: Vec3; size: Vec3 }; boxB: { start: Vec3; size: Vec3 } }, shapeA: Vec3, shapeB: Vec3, windows: number): number {
  const plan = pairLevelPlan({ ...p, params: {} }, { shape: shapeA }, { shape: shapeB });
  const vox = (s: Vec3): number => s[0] * s[1] * s[2];
  const coarse = vox(plan.choice.boxA.size) + vox(plan.choice.boxB.size);
  if (plan.choice.level === 0) return coarse;
  const ext = [0, 1, 2].map((ax) => Math.min(p.boxA.size[ax], p.boxB.size[ax]));
  const w = ext.map((e) => Math.min(e, plan.windowSize)) as Vec3;
  return coarse + windows * (vox(w) + vox(w.map((v, ax) => v + 2 * plan.windowMargin[ax]) as Vec3));
}

const results: { tile: Vec3; pyramid?: Measured; register: Measured; pairs: number; voxels: number; readBytesPerPair: number }[] = [];
for (const tile of [vec(arg('small', '96,512,512')), vec(arg('large', '192,1024,1024'))]) {
  const kept = keep ? join(keep, `${grid.replaceAll(',', 'x')}-${tile.join('x')}-${overlap}`) : undefined;
  const reuse = !!kept && existsSync(join(kept, 'synth.yaml'));
  if (kept) mkdirSync(kept, { recursive: true });
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'sg-scale-'));
  try {
    if (!reuse) {
      const synth = spawnSync(process.execPath, [cli, 'synth', '--grid', grid, '--tile', tile.join(','), '--overlap', overlap, '--out', dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    }
    const cfg = join(dir, 'synth.yaml');
    const pyramid = hasPyramid && !reuse ? step(['pyramid', cfg]) : undefined;
    if (pyramid && !pyramid.ok) throw new Error(`pyramid failed: ${pyramid.stderr.slice(-2000)}`);
    const register = step(['register', cfg, '--workers', workers, '--force']);
    if (!register.ok) throw new Error(`register failed: ${register.stderr.slice(-2000)}`);
    const campaign = await openCampaign(cfg);
    const pairsFile = JSON.parse(readFileSync(join(campaign.workdir, 'pairs.json'), 'utf8')) as PairsFile;
    const overlaps = findOverlaps(campaign.tiles, campaign.config.registration);
    const used = pairsFile.pairs.map((p) => ((p.windows as unknown[] | undefined) ?? []).length);
    const meanWindows = used.reduce((s, v) => s + v, 0) / Math.max(1, used.length);
    const read = overlaps.reduce((s, p) => s + pairReadVoxels(p, campaign.tileById.get(p.a)!.shape, campaign.tileById.get(p.b)!.shape, meanWindows), 0);
    const voxels = campaign.tiles.reduce((s, t) => s + t.shape[0] * t.shape[1] * t.shape[2], 0);
    results.push({ tile, pyramid, register, pairs: overlaps.length, voxels, readBytesPerPair: (2 * read) / overlaps.length });
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

const f1 = (v: number): string => v.toFixed(1);
console.log(`grid ${grid}, overlap ${overlap}, register --workers ${workers}; ${hasPyramid ? '' : '`stitchgraph pyramid` not available: no pyramid step; '}peak RSS / wall per step`);
console.log('| tiles | pairs | pyramid wall s | pyramid peak RSS MB | pyramid Mvox/s | register wall s | register CPU s | register peak RSS MB | read MB/pair |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const p = r.pyramid;
  console.log(`| ${r.tile.join('×')} | ${r.pairs} | ${p ? f1(p.wall_s) : '–'} | ${p ? f1(p.rss_mb) : '–'} | ${p ? f1(r.voxels / p.wall_s / 1e6) : '–'} | ${f1(r.register.wall_s)} | ${f1(r.register.cpu_s)} | ${f1(r.register.rss_mb)} | ${f1(r.readBytesPerPair / 1e6)} |`);
}
const [small, large] = results;
const ratio = large.register.rss_mb / small.register.rss_mb;
console.log(`register peak RSS larger / smaller: ${ratio.toFixed(2)}× (target ≤ 1.3×), larger ${f1(large.register.rss_mb)} MB (target < 1024)`);

// Projection to the brain campaign at the larger campaign's measured rates.
const ov = Number(overlap);
const brainTiles: OverlapTile[] = [];
for (let z = 0; z < BRAIN.grid[0]; z++)
  for (let y = 0; y < BRAIN.grid[1]; y++)
    for (let x = 0; x < BRAIN.grid[2]; x++) {
      const nominal = [z, y, x].map((i, ax) => Math.round(i * BRAIN.tile[ax] * (1 - ov))) as Vec3;
      brainTiles.push({ id: `t_${z}_${y}_${x}`, nominal, shape: BRAIN.tile });
    }
const brainPairs = findOverlaps(brainTiles, RegistrationSettingsSchema.parse({}));
const meanWin = 4;
const brainRead = brainPairs.reduce((s, p) => s + BRAIN.bytes * pairReadVoxels(p, BRAIN.tile, BRAIN.tile, meanWin), 0);
const cpuPerPair = large.register.cpu_s / large.pairs;
const brainVoxels = BRAIN.grid[0] * BRAIN.grid[1] * BRAIN.grid[2] * BRAIN.tile[0] * BRAIN.tile[1] * BRAIN.tile[2];
console.log(`brain projection (${BRAIN.grid.join('×')} tiles of ${BRAIN.tile.join('×')} uint16, overlap ${overlap}): ${brainPairs.length} pairs`);
console.log(`  registration: ${f1((cpuPerPair * brainPairs.length) / 3600)} worker-hours at ${cpuPerPair.toFixed(2)} CPU s/pair (measured on ${large.tile.join('×')}); reads ${(brainRead / 1e12).toFixed(2)} TB (${f1(brainRead / brainPairs.length / 1e6)} MB/pair with pyramids, ${meanWin} windows)`);
if (large.pyramid) {
  const rate = large.voxels / large.pyramid.cpu_s;
  console.log(`  pyramids: ${f1(brainVoxels / rate / 3600)} worker-hours at ${f1(rate / 1e6)} Mvox per CPU-second; reads ${(brainVoxels * BRAIN.bytes / 1e12).toFixed(1)} TB, writes ≈ ${((brainVoxels * BRAIN.bytes) / 7 / 1e12).toFixed(1)} TB`);
} else console.log('  pyramids: not measured (no `stitchgraph pyramid` in this build)');

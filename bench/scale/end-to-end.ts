/**
 * End to end at scale (issue 14): two synthetic vessel campaigns, the larger 8× the smaller, each
 * taken through every stage as a user runs it, each stage under `/usr/bin/time -v`:
 *
 *   stitchgraph synth --grid G --tile D,H,W --out DIR
 *   stitchgraph pyramid  DIR/synth.yaml --workers 2
 *   stitchgraph register DIR/synth.yaml --workers 2
 *   stitchgraph optimize DIR/synth.yaml
 *   stitchgraph serve    DIR/synth.yaml   (coarsest-level and full-resolution chunk, cold and warm)
 *   npx tsx bench/scale/_read-tiles.ts DIR/synth.yaml   (raw read of the same tiles: fuse's ceiling)
 *   stitchgraph fuse     DIR/synth.yaml --workers 2 --dtype tile
 *   stitchgraph serve    DIR/synth.yaml   (again, with the fused output there)
 *   stitchgraph analyze  DIR/synth.yaml --workers 2
 *   stitchgraph analyze  DIR/synth.yaml --servers NATS --workers 0   (coordinator alone; blocks on
 *                                                                     a `stitchgraph worker` process)
 *
 * `--analyze local` runs only the first analyze (no coordinator figure), `--analyze nats` only the
 * second (then it is the analyze stage too: saves the longest stage's second run), `both` (default)
 * both.
 *
 * Prints one table per campaign (wall, CPU, peak RSS of every stage; fuse / raw read throughput;
 * serve latency and server RSS; analysis coordinator peak RSS), the large/small ratios and the
 * projection to the brain campaign (10×10×10 tiles of 2160×2560×2560 uint16: worker-hours per stage,
 * hours on 16/64/256 workers), and writes all of it as JSON to bench/out/end-to-end-<time>.json.
 * Only the CLI and its outputs are used (and the tile reader for the raw-read ceiling).
 *
 *   npm run build && npx tsx bench/scale/end-to-end.ts [--small 128,512,512] [--large 256,1024,1024]
 *       [--grid 2,2,2] [--overlap 0.15] [--workers 2] [--only small|large] [--keep] [--dir /tmp] [--analyze both|local|nats]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopAllChildren, stopChildrenOnExit } from './_children.js';
import { timedStep, type Measured } from './_timed-step.js';
import { probeServe } from './_serve-probe.js';
import { analyzeOnNats } from './_nats-analyze.js';
import { stageFigures, type CampaignResult, type ServeFigures, type Vec3 } from './_campaign-result.js';
import { projectBrain } from './_brain-projection.js';
import { campaignTable, projectionTable, ratioTable } from './_e2e-report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = [process.execPath, join(root, 'dist', 'cli', 'main.js')];
const READ_TILES = [process.execPath, '--import', 'tsx', join(root, 'bench', 'scale', '_read-tiles.ts')];

const { values: opt } = parseArgs({
  options: {
    small: { type: 'string', default: '128,512,512' },
    large: { type: 'string', default: '256,1024,1024' },
    grid: { type: 'string', default: '2,2,2' },
    overlap: { type: 'string', default: '0.15' },
    workers: { type: 'string', default: '2' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    dir: { type: 'string', default: tmpdir() },
    analyze: { type: 'string', default: 'both' },
  },
});
function usage(message: string): never {
  process.stderr.write(`end-to-end: ${message}\n`);
  process.exit(2);
}
const vec = (s: string, what: string): Vec3 => {
  const v = s.split(',').map(Number);
  if (v.length !== 3 || v.some((x) => !Number.isInteger(x) || x < 1)) usage(`--${what} must be three positive integers z,y,x, not "${s}"`);
  return v as Vec3;
};
const grid = vec(opt.grid, 'grid');
const workers = opt.workers;
const overlap = Number(opt.overlap);
if (!(overlap > 0 && overlap < 0.5)) usage(`--overlap must be a fraction between 0 and 0.5, not "${opt.overlap}"`);
if (opt.only !== undefined && opt.only !== 'small' && opt.only !== 'large') usage(`--only must be small or large, not "${opt.only}"`);
const shapes = { small: vec(opt.small, 'small'), large: vec(opt.large, 'large') };
const analyzeMode = opt.analyze;
if (analyzeMode !== 'local' && analyzeMode !== 'nats' && analyzeMode !== 'both') usage(`--analyze must be local, nats or both, not "${analyzeMode}"`);
const natsFound = spawnSync('nats-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (analyzeMode === 'nats' && !natsFound) usage('--analyze nats needs nats-server on the PATH (bash scripts/setup.sh)');
const hasNats = analyzeMode !== 'local' && natsFound;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** Refuse to start a campaign the disk cannot hold: tiles + pyramids + fused + mask ≈ 3× the raw tile bytes. */
function checkDisk(dir: string, tileVoxels: number, label: string): void {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize, need = 3 * 2 * tileVoxels;
  if (free < need) throw new Error(`Cannot run the ${label} campaign in ${dir}: needs about ${(need / 1e9).toFixed(1)} GB, ${(free / 1e9).toFixed(1)} GB free (use --dir, or smaller tiles)`);
}

function diskMb(path: string): number {
  const r = spawnSync('du', ['-sk', path], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split('\t')[0]) / 1024 : NaN;
}

function workdirOf(cfg: string): string {
  const m = /^workdir:\s*(\S+)/m.exec(readFileSync(cfg, 'utf8'));
  return join(dirname(cfg), m ? m[1] : 'out');
}

/** Pairs in pairs.json by neighbour kind (from the synth ids t_z_y_x). */
function countPairs(workdir: string): { pairs: number; byKind: Record<string, number> } {
  const file = JSON.parse(readFileSync(join(workdir, 'pairs.json'), 'utf8')) as { pairs: { a: string; b: string }[] };
  const byKind: Record<string, number> = {};
  for (const p of file.pairs) {
    const [a, b] = [p.a, p.b].map((id) => id.split('_').slice(1).map(Number));
    const kind = a.length === 3 && b.length === 3 ? a.map((v, i) => Math.abs(v - b[i])).join(',') : 'other';
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { pairs: file.pairs.length, byKind };
}

async function stage(name: string, args: string[], stages: Measured[]): Promise<Measured> {
  const m = await timedStep(name, [...CLI, name, ...args], root);
  stages.push(m);
  log(`  ${name}: wall ${m.wall_s.toFixed(1)} s, CPU ${m.cpu_s.toFixed(1)} s, peak RSS ${m.peak_rss_mb.toFixed(0)} MB`);
  return m;
}

async function serveAt(when: ServeFigures['when'], cfg: string): Promise<ServeFigures> {
  const s = await probeServe([...CLI, 'serve', cfg], root);
  for (const c of s.chunks) log(`  serve ${when} ${c.kind} ${c.path}: cold ${c.cold_ms.toFixed(0)} ms, warm ${c.warm_ms.toFixed(0)} ms, server RSS ${c.rss_idle_mb.toFixed(0)} → peak ${c.rss_peak_mb.toFixed(0)} MB`);
  return { when, ...s };
}

async function rawRead(cfg: string): Promise<{ wall_s: number; cpu_s: number; peak_rss_mb: number }> {
  const m = await timedStep('raw-read', [...READ_TILES, cfg], root);
  const j = JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; cpu_s: number };
  log(`  raw read: ${j.seconds.toFixed(1)} s, CPU ${j.cpu_s.toFixed(1)} s, peak RSS ${m.peak_rss_mb.toFixed(0)} MB`);
  return { wall_s: j.seconds, cpu_s: j.cpu_s, peak_rss_mb: m.peak_rss_mb };
}

/**
 * `analyze` with the coordinator in a process of its own (blocks on a NATS worker process). With
 * `--analyze nats` this run is also the analyze stage: the coordinator's wall, both processes'
 * CPU, the larger of the two peaks.
 */
async function coordinatorAlone(cfg: string, dir: string, stages: Measured[]): Promise<CampaignResult['analysis_coordinator']> {
  const run = await analyzeOnNats(CLI, cfg, join(dir, 'network-nats'), root, Number(workers));
  const c = run.coordinator;
  log(`  analyze coordinator alone: wall ${c.wall_s.toFixed(1)} s, CPU ${c.cpu_s.toFixed(1)} s, peak RSS ${c.peak_rss_mb.toFixed(0)} MB (worker process: CPU ${run.worker_cpu_s.toFixed(1)} s, peak RSS ${run.worker_peak_rss_mb.toFixed(0)} MB)`);
  if (analyzeMode === 'nats') stages.push({ ...c, stage: 'analyze', cpu_s: c.cpu_s + run.worker_cpu_s, peak_rss_mb: Math.max(c.peak_rss_mb, run.worker_peak_rss_mb) });
  return { peak_rss_mb: c.peak_rss_mb, wall_s: c.wall_s, cpu_s: c.cpu_s, worker_peak_rss_mb: run.worker_peak_rss_mb, worker_cpu_s: run.worker_cpu_s };
}

/** The stages after synth, in the order a user runs them, with the probes between. */
async function runStages(cfg: string, dir: string): Promise<Omit<CampaignResult, 'label' | 'grid' | 'tile' | 'tiles' | 'tile_voxels' | 'disk_mb' | 'elapsed_s'>> {
  const stages: Measured[] = [];
  await stage('pyramid', [cfg, '--workers', workers], stages);
  await stage('register', [cfg, '--workers', workers], stages);
  const { pairs, byKind } = countPairs(workdirOf(cfg));
  await stage('optimize', [cfg], stages);
  const serve = [await serveAt('before-fuse', cfg)];
  const raw = await rawRead(cfg);
  const fuse = await stage('fuse', [cfg, '--workers', workers, '--dtype', 'tile'], stages);
  serve.push(await serveAt('after-fuse', cfg));
  if (analyzeMode !== 'nats') await stage('analyze', [cfg, '--workers', workers], stages);
  const coordinator = hasNats ? await coordinatorAlone(cfg, dir, stages) : null;
  return {
    pairs,
    pairs_by_kind: byKind,
    stages: stages.map(stageFigures),
    raw_read: raw,
    fuse_vs_read: { wall_ratio: raw.wall_s / fuse.wall_s, cpu_ratio: raw.cpu_s / fuse.cpu_s },
    serve,
    analysis_coordinator: coordinator,
  };
}

async function runCampaign(label: CampaignResult['label'], tile: Vec3): Promise<CampaignResult> {
  const tiles = grid[0] * grid[1] * grid[2];
  const tile_voxels = tiles * tile[0] * tile[1] * tile[2];
  checkDisk(opt.dir, tile_voxels, label);
  const dir = mkdtempSync(join(opt.dir, `sg-e2e-${label}-`));
  const t0 = performance.now();
  log(`${label}: ${grid.join('×')} tiles of ${tile.join('×')} (${(tile_voxels / 1e9).toFixed(2)} G voxels) in ${dir}`);
  try {
    const synth = await timedStep('synth', [...CLI, 'synth', '--grid', grid.join(','), '--tile', tile.join(','), '--overlap', opt.overlap, '--out', dir], root);
    log(`  synth: wall ${synth.wall_s.toFixed(1)} s (not a pipeline stage)`);
    const cfg = join(dir, 'synth.yaml');
    const rest = await runStages(cfg, dir);
    const wd = workdirOf(cfg);
    const disk_mb = { tiles: diskMb(join(dir, 'synth.zarr')), pyramids: diskMb(join(wd, 'pyramids.zarr')), fused: diskMb(join(wd, 'fused.ome.zarr')), network: diskMb(join(wd, 'network')), 'network (NATS run)': diskMb(join(dir, 'network-nats')) };
    return { label, grid, tile, tiles, tile_voxels, disk_mb, ...rest, elapsed_s: (performance.now() - t0) / 1000 };
  } finally {
    if (opt.keep) log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  stopChildrenOnExit();
  const load0 = loadavg();
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  log(`end to end, commit ${commit}, load ${load0.map((l) => l.toFixed(2)).join(' ')}, --workers ${workers}, --analyze ${analyzeMode}${hasNats ? '' : ' (analysis coordinator not measured alone: no nats-server, or --analyze local)'}`);
  const results: CampaignResult[] = [];
  for (const label of ['small', 'large'] as const) if (!opt.only || opt.only === label) results.push(await runCampaign(label, shapes[label]));
  const largest = results[results.length - 1];
  const projection = projectBrain(largest, overlap);
  log('');
  for (const r of results) log(campaignTable(r) + '\n');
  if (results.length === 2) log(ratioTable(results[0], results[1]) + '\n');
  log(projectionTable(largest, projection));
  const load1 = loadavg();
  log(`\nload at start ${load0.map((l) => l.toFixed(2)).join(' ')}, at end ${load1.map((l) => l.toFixed(2)).join(' ')}`);
  const outDir = join(root, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `end-to-end-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ commit, date: new Date().toISOString(), load_start: load0, load_end: load1, options: opt, campaigns: results, brain_projection: projection }, null, 2));
  log(`JSON: ${file}`);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`end-to-end FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await stopAllChildren();
}

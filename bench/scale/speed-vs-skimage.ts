/**
 * Side-by-side: `stitchgraph register` + `optimize` (one worker) against a plain scikit-image +
 * scipy script (skimage_scipy_stitch.py: phase_cross_correlation per pair on the same boxes, lsqr
 * for the positions, one thread) on the same synthetic campaigns, in one run. Prints the CPU and
 * wall time of each, the ratio, and each one's position error against the truth. Both register the
 * same pair set: the face pairs of the grid (ours by its default `min_overlap_share`, which skips
 * the edge and corner slivers; the peer by construction), ours on grown boxes with verification.
 *
 * Two campaigns: the small one (2×3×3 tiles of 64×256×256), and a larger one of the same grid
 * (`--large-tile`, default 128×512×512: 8× the voxels per tile), where the peer's whole-overlap FFTs
 * grow with the tile and our coarse-to-fine cost should not. `--large-tile 0` runs the small one only.
 *
 *   npx tsx bench/scale/speed-vs-skimage.ts [--grid 2,3,3] [--tile 64,256,256] [--large-tile 128,512,512] [--overlap 0.12] [--upsample 10] [--runs 2] [--keep DIR]
 *
 * `--keep DIR` keeps the synthesised campaigns under DIR and reuses them (the larger one takes
 * minutes to synthesise). Needs `npm run build` (the CLI runs from dist/, as a user runs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthCampaign, type SynthResult } from '../../src/synth/synth-campaign.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { findOverlaps } from '../../src/registration/find-overlaps.js';
import { intersectBoxes, type Box3, type Vec3 } from '../../src/geometry/box.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const vec = (s: string): Vec3 => s.split(',').map(Number) as Vec3;
const grid = vec(arg('grid', '2,3,3')), tile = vec(arg('tile', '64,256,256'));
const largeArg = arg('large-tile', '128,512,512');
const largeTile = largeArg === '0' ? undefined : vec(largeArg);
const overlap = Number(arg('overlap', '0.12')), upsample = Number(arg('upsample', '10')), runs = Number(arg('runs', '2'));
const keep = process.argv.includes('--keep') ? arg('keep', '') : undefined;
const oneThread = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', UV_THREADPOOL_SIZE: '1' };
const cli = join(root, 'dist', 'cli', 'main.js');

interface Timing {
  wall: number;
  /** User + system CPU seconds (what a loaded machine distorts least). */
  cpu: number;
}

function timed(cmd: string, args: string[]): Timing {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', cmd, ...args], { cwd: root, env: { ...process.env, ...oneThread }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall: (performance.now() - t0) / 1000, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}
const add = (a: Timing, b: Timing): Timing => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu });
const best = (a: Timing | undefined, b: Timing): Timing => (!a || b.cpu < a.cpu ? b : a);

/** RMS distance of positions to the truth after removing their mean offset (positions are relative). */
function rmsError(pos: Record<string, number[]>, truth: Record<string, { position: Vec3 }>): number {
  const ids = Object.keys(truth);
  const off = [0, 1, 2].map((ax) => ids.reduce((s, id) => s + pos[id][ax] - truth[id].position[ax], 0) / ids.length);
  return Math.sqrt(ids.reduce((s, id) => s + [0, 1, 2].reduce((q, ax) => q + (pos[id][ax] - truth[id].position[ax] - off[ax]) ** 2, 0), 0) / ids.length);
}

/** Grid neighbours across a face (ids t_z_y_x): what a plain script registers. */
function faceNeighbours(a: string, b: string): boolean {
  const g = (id: string): number[] => id.split('_').slice(1).map(Number);
  return g(a).reduce((s, v, i) => s + Math.abs(v - g(b)[i]), 0) === 1;
}

function nominalBoxes(A: { nominal: Vec3; shape: Vec3 }, B: { nominal: Vec3; shape: Vec3 }): { boxA: Box3; boxB: Box3 } {
  const na = A.nominal.map(Math.round) as Vec3, nb = B.nominal.map(Math.round) as Vec3;
  const ov = intersectBoxes({ start: na, size: A.shape }, { start: nb, size: B.shape })!;
  return { boxA: { start: ov.start.map((v, ax) => v - na[ax]) as Vec3, size: ov.size }, boxB: { start: ov.start.map((v, ax) => v - nb[ax]) as Vec3, size: ov.size } };
}

/** The campaign (kept under `--keep` and reused when it is there). */
async function campaignFor(t: Vec3): Promise<{ dir: string; res: Pick<SynthResult, 'configPath' | 'storePath' | 'truth'>; temporary: boolean }> {
  const dir = keep ? join(keep, `speed-${grid.join('x')}-${t.join('x')}-${overlap}`) : mkdtempSync(join(tmpdir(), 'sg-speed-'));
  const saved = join(dir, 'bench-synth.json');
  if (keep && existsSync(saved)) return { dir, res: JSON.parse(readFileSync(saved, 'utf8')) as Pick<SynthResult, 'configPath' | 'storePath' | 'truth'>, temporary: false };
  mkdirSync(dir, { recursive: true });
  const res = await synthCampaign({ outDir: dir, seed: 21, grid, tileShape: t, overlap, stageError: 5, noise: 0.03 });
  if (keep) writeFileSync(saved, JSON.stringify({ configPath: res.configPath, storePath: res.storePath, truth: res.truth }));
  return { dir, res, temporary: !keep };
}

interface Row {
  tile: Vec3;
  pairs: number;
  ourPairs: number;
  ours: Timing;
  reg: Timing;
  peer: Timing;
  ourError: number;
  peerError: number;
}

async function compare(t: Vec3): Promise<Row> {
  const { dir, res, temporary } = await campaignFor(t);
  try {
    const campaign = await openCampaign(res.configPath);
    const pairs = findOverlaps(campaign.tiles, campaign.config.registration);
    const spec = {
      store: res.storePath,
      upsample,
      tiles: Object.fromEntries(campaign.tiles.map((x) => [x.id, { array: x.array, nominal: x.nominal }])),
      // The nominal overlap boxes (no search margin: phase correlation wraps shifts beyond half the box).
      pairs: pairs.filter((p) => faceNeighbours(p.a, p.b)).map((p) => ({ a: p.a, b: p.b, ...nominalBoxes(campaign.tileById.get(p.a)!, campaign.tileById.get(p.b)!), nominal_shift: p.nominalShift })),
    };
    writeFileSync(join(dir, 'pairs-spec.json'), JSON.stringify(spec));
    let ours: Timing | undefined, peer: Timing | undefined, reg: Timing | undefined;
    for (let r = 0; r < runs; r++) {
      const tr = timed(process.execPath, [cli, 'register', res.configPath, '--workers', '1', '--force']);
      const to = timed(process.execPath, [cli, 'optimize', res.configPath]);
      if (!ours || add(tr, to).cpu < ours.cpu) [ours, reg] = [add(tr, to), tr];
      peer = best(peer, timed('/usr/bin/python3', [join(here, 'skimage_scipy_stitch.py'), join(dir, 'pairs-spec.json'), join(dir, 'peer.json')]));
    }
    if (!ours || !peer || !reg) throw new Error('no run');
    const positions = JSON.parse(readFileSync(join(campaign.workdir, 'positions.json'), 'utf8')) as { tiles: Record<string, { position: number[] }> };
    const ourPos = Object.fromEntries(Object.entries(positions.tiles).map(([id, x]) => [id, x.position]));
    const peerPos = (JSON.parse(readFileSync(join(dir, 'peer.json'), 'utf8')) as { positions: Record<string, number[]> }).positions;
    const ourPairs = (JSON.parse(readFileSync(join(campaign.workdir, 'pairs.json'), 'utf8')) as { pairs: unknown[] }).pairs.length;
    return { tile: t, pairs: spec.pairs.length, ourPairs, ours, reg, peer, ourError: rmsError(ourPos, res.truth.tiles), peerError: rmsError(peerPos, res.truth.tiles) };
  } finally {
    if (temporary) rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`campaigns: ${grid.join('×')} tiles, overlap ${overlap}, stage error 5; one worker / one thread each; best of ${runs} by CPU; peer upsample_factor ${upsample}`);
console.log('| tiles | pairs (ours / peer) | ours CPU s (register) | ours wall s | peer CPU s | peer wall s | ratio peer/ours CPU | ratio wall | ours RMS error vox | peer RMS error vox |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const t of largeTile ? [tile, largeTile] : [tile]) {
  const r = await compare(t);
  console.log(
    `| ${r.tile.join('×')} | ${r.ourPairs} / ${r.pairs} | ${r.ours.cpu.toFixed(2)} (${r.reg.cpu.toFixed(2)}) | ${r.ours.wall.toFixed(2)} | ${r.peer.cpu.toFixed(2)} | ${r.peer.wall.toFixed(2)} | ${(r.peer.cpu / r.ours.cpu).toFixed(2)}× | ${(r.peer.wall / r.ours.wall).toFixed(2)}× | ${r.ourError.toFixed(3)} | ${r.peerError.toFixed(3)} |`,
  );
}
console.log('target (issue 13): ratio ≥ 2× with an error at least as small');

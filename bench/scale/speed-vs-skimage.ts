/**
 * Side-by-side: `stitchgraph register` + `optimize` (one worker) against a plain scikit-image +
 * scipy script (skimage_scipy_stitch.py: phase_cross_correlation per pair on the same boxes, lsqr
 * for the positions, one thread) on the same synthetic campaign, in one run. Prints the wall time
 * of each, the ratio, and each one's position error against the truth.
 *
 *   npx tsx bench/scale/speed-vs-skimage.ts [--grid 2,3,3] [--tile 64,256,256] [--overlap 0.12] [--upsample 10] [--runs 2]
 *
 * Needs `npm run build` (the CLI runs from dist/, as a user runs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
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
const overlap = Number(arg('overlap', '0.12')), upsample = Number(arg('upsample', '10')), runs = Number(arg('runs', '2'));
const oneThread = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', UV_THREADPOOL_SIZE: '1' };

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

const dir = mkdtempSync(join(tmpdir(), 'sg-speed-'));
try {
  const res = await synthCampaign({ outDir: dir, seed: 21, grid, tileShape: tile, overlap, stageError: 5, noise: 0.03 });
  const campaign = await openCampaign(res.configPath);
  const pairs = findOverlaps(campaign.tiles, campaign.config.registration);
  const spec = {
    store: res.storePath,
    upsample,
    tiles: Object.fromEntries(campaign.tiles.map((t) => [t.id, { array: t.array, nominal: t.nominal }])),
    // The nominal overlap boxes (no search margin: phase correlation wraps shifts beyond half the box).
    pairs: pairs.filter((p) => faceNeighbours(p.a, p.b)).map((p) => ({ a: p.a, b: p.b, ...nominalBoxes(campaign.tileById.get(p.a)!, campaign.tileById.get(p.b)!), nominal_shift: p.nominalShift })),
  };
  writeFileSync(join(dir, 'pairs-spec.json'), JSON.stringify(spec));
  console.log(`campaign: ${grid.join('×')} tiles of ${tile.join('×')} uint16, overlap ${overlap}, ${pairs.length} pairs; one worker / one thread each; best of ${runs}`);
  const cli = join(root, 'dist', 'cli', 'main.js');
  let ours: Timing | undefined, peer: Timing | undefined, reg: Timing | undefined;
  for (let r = 0; r < runs; r++) {
    const tr = timed(process.execPath, [cli, 'register', res.configPath, '--workers', '1', '--force']);
    const to = timed(process.execPath, [cli, 'optimize', res.configPath]);
    if (!ours || add(tr, to).cpu < ours.cpu) [ours, reg] = [add(tr, to), tr];
    peer = best(peer, timed('/usr/bin/python3', [join(here, 'skimage_scipy_stitch.py'), join(dir, 'pairs-spec.json'), join(dir, 'peer.json')]));
  }
  if (!ours || !peer || !reg) throw new Error('no run');
  const positions = JSON.parse(readFileSync(join(campaign.workdir, 'positions.json'), 'utf8')) as { tiles: Record<string, { position: number[] }> };
  const ourPos = Object.fromEntries(Object.entries(positions.tiles).map(([id, t]) => [id, t.position]));
  const peerPos = (JSON.parse(readFileSync(join(dir, 'peer.json'), 'utf8')) as { positions: Record<string, number[]> }).positions;
  const t = (v: Timing): string => `wall ${v.wall.toFixed(2)} s, CPU ${v.cpu.toFixed(2)} s`;
  console.log(`stitchgraph register+optimize: ${t(ours)} (register ${t(reg)}), position RMS error ${rmsError(ourPos, res.truth.tiles).toFixed(3)} vox`);
  console.log(`scikit-image + scipy:          ${t(peer)}, position RMS error ${rmsError(peerPos, res.truth.tiles).toFixed(3)} vox (upsample_factor ${upsample}, face pairs)`);
  console.log(`speed ratio (peer / ours): wall ${(peer.wall / ours.wall).toFixed(2)}×, CPU ${(peer.cpu / ours.cpu).toFixed(2)}× (target ≥ 2×)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

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
import type { Vec3 } from '../../src/geometry/box.js';

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

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...oneThread }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** RMS distance of positions to the truth after removing their mean offset (positions are relative). */
function rmsError(pos: Record<string, number[]>, truth: Record<string, { position: Vec3 }>): number {
  const ids = Object.keys(truth);
  const off = [0, 1, 2].map((ax) => ids.reduce((s, id) => s + pos[id][ax] - truth[id].position[ax], 0) / ids.length);
  return Math.sqrt(ids.reduce((s, id) => s + [0, 1, 2].reduce((q, ax) => q + (pos[id][ax] - truth[id].position[ax] - off[ax]) ** 2, 0), 0) / ids.length);
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
    pairs: pairs.map((p) => ({ a: p.a, b: p.b, boxA: p.boxA, boxB: p.boxB, nominal_shift: p.nominalShift })),
  };
  writeFileSync(join(dir, 'pairs-spec.json'), JSON.stringify(spec));
  console.log(`campaign: ${grid.join('×')} tiles of ${tile.join('×')} uint16, overlap ${overlap}, ${pairs.length} pairs; one worker / one thread each; best of ${runs}`);
  const cli = join(root, 'dist', 'cli', 'main.js');
  let ours = Infinity, peer = Infinity, reg = 0, opt = 0;
  for (let r = 0; r < runs; r++) {
    const tr = timed(process.execPath, [cli, 'register', res.configPath, '--workers', '1', '--force']);
    const to = timed(process.execPath, [cli, 'optimize', res.configPath]);
    if (tr + to < ours) [ours, reg, opt] = [tr + to, tr, to];
    peer = Math.min(peer, timed('/usr/bin/python3', [join(here, 'skimage_scipy_stitch.py'), join(dir, 'pairs-spec.json'), join(dir, 'peer.json')]));
  }
  const positions = JSON.parse(readFileSync(join(campaign.workdir, 'positions.json'), 'utf8')) as { tiles: Record<string, { position: number[] }> };
  const ourPos = Object.fromEntries(Object.entries(positions.tiles).map(([id, t]) => [id, t.position]));
  const peerPos = (JSON.parse(readFileSync(join(dir, 'peer.json'), 'utf8')) as { positions: Record<string, number[]> }).positions;
  console.log(`stitchgraph register+optimize: ${ours.toFixed(2)} s (register ${reg.toFixed(2)}, optimize ${opt.toFixed(2)}), position RMS error ${rmsError(ourPos, res.truth.tiles).toFixed(3)} vox`);
  console.log(`scikit-image + scipy:          ${peer.toFixed(2)} s, position RMS error ${rmsError(peerPos, res.truth.tiles).toFixed(3)} vox (upsample_factor ${upsample})`);
  console.log(`speed ratio (peer / ours): ${(peer / ours).toFixed(2)}×`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

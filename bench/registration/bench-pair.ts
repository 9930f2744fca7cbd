/**
 * Pair registration speed and accuracy, side by side with scikit-image's phase_cross_correlation
 * (`/usr/bin/python3`) on the same uint16 arrays: two boxes of a vessel phantom rendered at origins
 * a known sub-voxel translation apart, with independent noise and different gains.
 *
 *   npx tsx bench/registration/bench-pair.ts [--sizes 40x256x256,64x512x512] [--upsample 20]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { registerRegions } from '../../src/registration/register-regions.js';
import { Random } from '../../src/synth/random.js';
import type { Vec3 } from '../../src/geometry/box.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt('sizes', '40x256x256,64x512x512').split(',').map((s) => s.split('x').map(Number) as Vec3);
const upsample = Number(opt('upsample', '20'));
const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sg-bench-reg-'));

function toUint16(img: Float32Array, gain: number, noise: number, rng: Random): Uint16Array {
  const out = new Uint16Array(img.length);
  for (let o = 0; o < img.length; o++) out[o] = Math.max(0, Math.min(65535, Math.round(gain * (400 + 2000 * img[o]) + 2000 * noise * rng.normal())));
  return out;
}

const rows: string[] = [];
for (const shape of sizes) {
  const volume: Vec3 = [shape[0] + 40, shape[1] + 40, shape[2] + 40];
  const net = generateVesselNetwork({ shape: volume, seed: 5 });
  const renderer = new PhantomRenderer(net, { seed: 11 });
  const truth: Vec3 = [2.37, -5.61, 7.18];
  const oa: Vec3 = [10, 15, 12];
  const ob: Vec3 = [oa[0] + truth[0], oa[1] + truth[1], oa[2] + truth[2]];
  const rng = new Random(3);
  const a = toUint16(renderer.render(oa, shape), 1.0, 0.03, rng);
  const b = toUint16(renderer.render(ob, shape), 0.85, 0.03, rng);
  const fa = join(work, 'a.raw'), fb = join(work, 'b.raw');
  writeFileSync(fa, new Uint8Array(a.buffer));
  writeFileSync(fb, new Uint8Array(b.buffer));
  const voxels = shape[0] * shape[1] * shape[2];
  for (const ds of [1, 2]) {
    const factors: Vec3 = [1, ds, ds];
    // Ours: best of 2 runs (the first also warms the JIT).
    let best = Infinity;
    let shift: Vec3 | null = null;
    for (let rep = 0; rep < 2; rep++) {
      const t0 = performance.now();
      // The margin a campaign would use for such an overlap: 10 % of the extent, at least 16.
      const margin = shape.map((s) => Math.max(16, Math.ceil(0.1 * s))) as Vec3;
      const res = registerRegions({ data: a, shape }, { data: b, shape }, { downsample: factors, margin });
      best = Math.min(best, (performance.now() - t0) / 1000);
      shift = res.translation;
    }
    const errOurs = shift ? Math.hypot(shift[0] - truth[0], shift[1] - truth[1], shift[2] - truth[2]) : NaN;
    // scikit-image: best of 2 runs.
    let bestSk = Infinity;
    let shiftSk: number[] = [];
    for (let rep = 0; rep < 2; rep++) {
      const r = spawnSync('/usr/bin/python3', [join(here, 'skimage_pcc.py'), fa, fb, ...shape.map(String), ...factors.map(String), String(upsample)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`skimage failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { shift: number[]; seconds: number };
      bestSk = Math.min(bestSk, out.seconds);
      shiftSk = out.shift;
    }
    const errSk = Math.hypot(shiftSk[0] - truth[0], shiftSk[1] - truth[1], shiftSk[2] - truth[2]);
    const f = (v: number, d = 3) => v.toFixed(d);
    const row = `| ${shape.join('×')} | ${factors.join(',')} | ${f(best, 2)} | ${f(voxels / best / 1e6, 1)} | ${f(errOurs)} | ${f(bestSk, 2)} | ${f(voxels / bestSk / 1e6, 1)} | ${f(errSk)} |`;
    rows.push(row);
    console.log(row, ' ours', shift?.map((v) => v.toFixed(3)).join(','), ' skimage', shiftSk.map((v) => v.toFixed(3)).join(','));
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`\ntruth (2.37, -5.61, 7.18); skimage upsample_factor ${upsample}; best of 2 runs each\n`);
console.log('| overlap (z×y×x) | downsample | ours s/pair | ours Mvox/s | ours error (vox) | skimage s/pair | skimage Mvox/s | skimage error (vox) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

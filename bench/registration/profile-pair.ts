/**
 * One pair of the bench (same phantom, truth, noise and gains as bench-pair.ts) registered a few
 * times, for profiling: `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/registration/profile-pair.ts 64x512x512 2`
 * then `npx tsx bench/registration/cpuprofile-top.ts /tmp/prof/<file>.cpuprofile`.
 */
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { registerRegions } from '../../src/registration/register-regions.js';
import { Random } from '../../src/synth/random.js';
import type { Vec3 } from '../../src/geometry/box.js';

const shape = (process.argv[2] ?? '64x512x512').split('x').map(Number) as Vec3;
const ds = Number(process.argv[3] ?? '1');
const reps = Number(process.argv[4] ?? '3');
const volume: Vec3 = [shape[0] + 40, shape[1] + 40, shape[2] + 40];
const net = generateVesselNetwork({ shape: volume, seed: 5 });
const renderer = new PhantomRenderer(net, { seed: 11 });
const truth: Vec3 = [2.37, -5.61, 7.18];
const oa: Vec3 = [10, 15, 12];
const ob: Vec3 = [oa[0] + truth[0], oa[1] + truth[1], oa[2] + truth[2]];
const rng = new Random(3);
const toUint16 = (img: Float32Array, gain: number): Uint16Array => {
  const out = new Uint16Array(img.length);
  for (let o = 0; o < img.length; o++) out[o] = Math.max(0, Math.min(65535, Math.round(gain * (400 + 2000 * img[o]) + 2000 * 0.03 * rng.normal())));
  return out;
};
const a = toUint16(renderer.render(oa, shape), 1.0);
const b = toUint16(renderer.render(ob, shape), 0.85);
const margin = shape.map((s) => Math.max(16, Math.ceil(0.1 * s))) as Vec3;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const res = registerRegions({ data: a, shape }, { data: b, shape }, { downsample: [1, ds, ds], margin });
  const t = res.translation;
  const err = t ? Math.hypot(t[0] - truth[0], t[1] - truth[1], t[2] - truth[2]) : NaN;
  console.log(`${((performance.now() - t0) / 1000).toFixed(2)} s  err ${err.toFixed(4)}  ${res.status} candidates ${res.candidates} r ${res.correlation.toFixed(4)}`);
}

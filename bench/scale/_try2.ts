import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { writeFileSync, readFileSync } from 'node:fs';
const dir = `/tmp/c2f/run2`;
const res = await synthCampaign({ outDir: dir, seed: 21, grid: [2, 3, 3], tileShape: [64, 256, 256], overlap: 0.12, stageError: 5, noise: 0.03 });
const yaml = readFileSync(res.configPath, 'utf8');
for (const cv of process.argv.slice(2).map(Number)) {
  writeFileSync(res.configPath, yaml.replace(/registration:.*\n/, '') + `\nregistration:\n  coarse_voxels: ${cv}\n`);
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  const out = await registerCampaign(res.configPath, { workers: 1, force: true });
  const errs: number[] = [];
  let rej = 0;
  for (const p of out.pairs.pairs) {
    const ta = res.truth.tiles[p.a].position, tb = res.truth.tiles[p.b].position;
    if (p.status !== 'ok') { rej++; continue; }
    errs.push(Math.hypot(...[0, 1, 2].map((ax) => p.shift[ax] - (tb[ax] - ta[ax]))));
  }
  errs.sort((a, b) => a - b);
  const secs = out.pairs.pairs.reduce((s, p) => s + (p.seconds as number), 0);
  const cu = process.cpuUsage(c0);
  console.log(`cv ${cv}: wall ${(Date.now() - t0) / 1000}s, cpu ${((cu.user + cu.system) / 1e6).toFixed(1)}s, job-seconds ${secs.toFixed(1)}, ok ${errs.length} rejected ${rej}, median err ${errs[errs.length >> 1].toFixed(3)}, p90 ${errs[Math.floor(errs.length * 0.9)].toFixed(3)}, max ${errs[errs.length - 1].toFixed(3)}`);
}

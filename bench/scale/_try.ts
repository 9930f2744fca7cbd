import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
const [shape, cv, noise, fov] = [process.argv[2] ?? '64,256,256', Number(process.argv[3] ?? 20000), Number(process.argv[4] ?? 0.03), process.argv[5] ?? 'full'];
const tile = shape.split(',').map(Number) as [number, number, number];
const dir = `/tmp/c2f/run-${Date.now()}`;
const res = await synthCampaign({ outDir: dir, seed: 11, grid: [1, 2, 2], tileShape: tile, overlap: 0.15, stageError: 5, noise, fieldOfView: fov as 'full', extraConfig: { registration: { coarse_voxels: cv } } });
const t0 = Date.now();
const out = await registerCampaign(res.configPath, { workers: 1 });
console.log('seconds', (Date.now() - t0) / 1000);
for (const p of out.pairs.pairs) {
  const ta = res.truth.tiles[p.a].position, tb = res.truth.tiles[p.b].position;
  const t = [0, 1, 2].map((ax) => tb[ax] - ta[ax]);
  const err = (s: number[]) => Math.hypot(...s.map((v, ax) => v - t[ax])).toFixed(3);
  const w = (p.windows as { status: string; inlier?: boolean; reason?: string; correlation: number }[] | undefined) ?? [];
  console.log(p.a, p.b, p.status, p.reason ?? '', 'level', p.level, p.level_factors, 'err', err(p.shift), 'coarse err', p.coarse_shift ? err(p.coarse_shift as number[]) : '-', 'r', p.correlation, 'win', w.length, 'agree', p.windows_agreeing, p.window_agreement, w.map((x) => x.status[0] + (x.inlier ? '*' : '') + x.correlation.toFixed(2)).join(' '), 's', p.seconds);
}

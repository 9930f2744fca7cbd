/**
 * Peak memory (max RSS) of block-wise analysis at two volume sizes, each in a fresh process, the
 * volume rendered box by box from the analytic phantom (never held whole), against the same
 * analysis in one block, with the coordinator's retained state: the label merge's shell voxels held
 * at its peak against all shell voxels (bounded by one layer of blocks), and the skeleton voxels
 * held for the graph against those received (the part that still grows with the network). Run: npx tsx bench/analysis/blockwise-memory.ts [small=128] [large=256] [block=64]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import type { Vec3 } from '../../src/geometry/box.js';

async function child(edge: number, block: number): Promise<void> {
  const shape: Vec3 = [edge, edge, edge];
  const renderer = new PhantomRenderer(generateVesselNetwork({ shape, seed: 1 }), { seed: 1 });
  const t0 = performance.now();
  const a = await analyzeVolume((box) => Promise.resolve(renderer.mask(box.start, box.size)), shape, { threshold: 0.5, min_size: 0, block, halo: 16 });
  const s = a.summary;
  process.stdout.write(
    JSON.stringify({ edge, block, seconds: (performance.now() - t0) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024, branches: s.n_branches, length: s.total_length_um, components: s.n_components, ...a.mergeState }) + '\n',
  );
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]), Number(process.argv[4]));
else {
  const small = Number(process.argv[2] ?? 128), large = Number(process.argv[3] ?? 256), block = Number(process.argv[4] ?? 64);
  const rows: string[] = [];
  for (const edge of [small, large])
    for (const b of [block, edge]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(edge), String(b)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
      const vol = (edge ** 3 / 2 ** 20).toFixed(1);
      rows.push(`| ${edge}³ (${vol} M voxels) | ${b === edge ? 'whole volume' : `${b}³ + halo 16`} | ${j.maxRssMiB.toFixed(0)} | ${j.seconds.toFixed(1)} | ${j.components} / ${j.branches} / ${j.length.toFixed(1)} | ${j.peakRetainedShellVoxels} / ${j.totalShellVoxels} | ${j.skeletonVoxelsHeld} / ${j.skeletonVoxelsSeen} |`);
      console.log(rows[rows.length - 1]);
    }
  console.log(
    '\n| volume | blocks | peak RSS (MiB) | seconds | components / branches / length (µm) | shell voxels held at peak / all | skeleton voxels held / received |\n|---|---|---|---|---|---|---|\n' +
      rows.join('\n'),
  );
}

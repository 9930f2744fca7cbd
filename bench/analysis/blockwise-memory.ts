/**
 * Peak memory (max RSS) of block-wise analysis at two volume sizes 8× apart (edge and 2 × edge),
 * each in a fresh process, the volume rendered box by box from the analytic phantom (never held
 * whole), the way `stitchgraph analyze` runs it: block results and skeletons on disk, the graph
 * built by the streamed pass and network/ written by streaming appends (no whole graph held);
 * against the same analysis in one block with the graph gathered in memory. With the coordinator's
 * retained state: the label merge's shell voxels held at its peak against all shell voxels (about
 * one layer of blocks), and the graph pass's skeleton voxels held at its peak (those of components
 * not yet whole) against all.
 * Run: npx tsx bench/analysis/blockwise-memory.ts [small=96] [large=2×small] [block=32] [density]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { NetworkStreamWriter } from '../../src/analysis/network-stream-writer.js';
import type { Vec3 } from '../../src/geometry/box.js';

async function child(edge: number, block: number, density: number | undefined): Promise<void> {
  const shape: Vec3 = [edge, edge, edge];
  const renderer = new PhantomRenderer(generateVesselNetwork({ shape, seed: 1, ...(density ? { lengthDensity: density } : {}) }), { seed: 1 });
  const read = (box: { start: Vec3; size: Vec3 }) => Promise.resolve(renderer.mask(box.start, box.size));
  const settings = { threshold: 0.5, min_size: 0, block, halo: 16 };
  const t0 = performance.now(), c0 = process.cpuUsage();
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-blockwise-'));
  try {
    const streamed = block < edge;
    const writer = streamed ? new NetworkStreamWriter(join(dir, 'network'), shape, { voxelSize: [1, 1, 1], originUm: [0, 0, 0] }, {}) : undefined;
    const a = await analyzeVolume(read, shape, settings, [1, 1, 1], undefined, streamed ? { blockDir: join(dir, 'blocks'), keepGraph: false, onGraphPiece: (p) => writer!.add(p) } : {});
    if (writer) await writer.finish(a.components, a.summary);
    const cpu = process.cpuUsage(c0);
    const s = a.summary;
    process.stdout.write(
      JSON.stringify({ edge, block, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, branches: s.n_branches, length: s.total_length_um, components: s.n_components, ...a.mergeState }) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] ? Number(process.argv[5]) : undefined);
else {
  const small = Number(process.argv[2] ?? 96), large = Number(process.argv[3] ?? 2 * small), block = Number(process.argv[4] ?? 32);
  const density = process.argv[5] ?? '';
  const rows: string[] = [];
  for (const edge of [small, large])
    for (const b of [block, edge]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(edge), String(b), density], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
      const vol = (edge ** 3 / 2 ** 20).toFixed(1);
      rows.push(
        `| ${edge}³ (${vol} M voxels) | ${b === edge ? 'whole volume, graph in memory' : `${b}³ + halo 16, streamed`} | ${j.maxRssMiB.toFixed(0)} | ${j.cpuSeconds.toFixed(1)} | ${j.components} / ${j.branches} / ${j.length.toFixed(1)} | ${j.peakRetainedShellVoxels} / ${j.totalShellVoxels} | ${j.peakRetainedGraphVoxels} / ${j.graphVoxels} |`,
      );
      console.log(rows[rows.length - 1]);
    }
  console.log(
    '\n| volume | blocks | peak RSS (MiB) | CPU s | components / branches / length (µm) | shell voxels held at peak / all | graph pass: skeleton voxels held at peak / all |\n|---|---|---|---|---|---|---|\n' +
      rows.join('\n'),
  );
}

import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { writeNetwork } from '../../src/analysis/write-network.js';
import { NetworkStreamWriter } from '../../src/analysis/network-stream-writer.js';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { memoryReader } from './_memory-reader.js';

const NETWORK_FILES = ['branches.csv', 'components.csv', 'graph.gexf', 'graph.graphml', 'nodes.csv', 'skeleton.swc', 'summary.json'];

describe('network files written by streaming appends', () => {
  const shape: Vec3 = [40, 48, 48];
  const img = new PhantomRenderer(generateVesselNetwork({ shape, seed: 6, lengthDensity: 0.03 }), { seed: 6 }).mask([0, 0, 0], shape);
  const voxelSize: Vec3 = [2, 1, 1];
  const originUm: Vec3 = [10, -5, 0];

  async function both(settings: Record<string, unknown>) {
    const root = await mkdtemp(join(tmpdir(), 'sg-stream-writer-'));
    const gathered = await analyzeVolume(memoryReader(img, shape), shape, settings, voxelSize, undefined, { block: [16, 16, 16], originUm });
    const held = await writeNetwork(join(root, 'held'), gathered);
    const writer = new NetworkStreamWriter(join(root, 'streamed'), shape, { voxelSize, originUm }, gathered.settings);
    const streamed = await analyzeVolume(memoryReader(img, shape), shape, settings, voxelSize, undefined, { block: [16, 16, 16], originUm, blockDir: join(root, 'blocks'), keepGraph: false, onGraphPiece: (p) => writer.add(p) });
    const res = await writer.finish(streamed.components, streamed.summary);
    return { root, gathered, held, streamed, res };
  }

  it('gives the same bytes as the network gathered in memory', async () => {
    const { root, gathered, held, res } = await both({ threshold: 0.5, min_size: 10 });
    try {
      expect(gathered.summary.n_branches).toBeGreaterThan(10);
      expect(res.skipped).toEqual([]);
      expect(res.written.map((f) => f.slice(join(root, 'streamed').length))).toEqual(held.written.map((f) => f.slice(join(root, 'held').length)));
      // No temporary part is left behind.
      expect((await readdir(join(root, 'streamed'))).sort()).toEqual(NETWORK_FILES);
      for (const f of NETWORK_FILES) expect(await readFile(join(root, 'streamed', f), 'utf8')).toBe(await readFile(join(root, 'held', f), 'utf8'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('skips the graph files and the SWC above the limits, with the same reasons', async () => {
    const { root, held, res } = await both({ threshold: 0.5, min_size: 10, export_max_branches: 5, export_max_swc_samples: 40 });
    try {
      expect(res.skipped).toEqual(held.skipped);
      expect(res.skipped.map((s) => s.file)).toEqual(['graph.graphml', 'graph.gexf', 'skeleton.swc']);
      expect((await readdir(join(root, 'streamed'))).sort()).toEqual(['branches.csv', 'components.csv', 'nodes.csv', 'summary.json']);
      for (const f of ['branches.csv', 'nodes.csv']) expect(await readFile(join(root, 'streamed', f), 'utf8')).toBe(await readFile(join(root, 'held', f), 'utf8'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVesselNetwork, networkTruth } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { zarrBlockSource } from '../../src/analysis/block-source.js';
import { writeNetwork } from '../../src/analysis/write-network.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { memoryReader } from './_memory-reader.js';


const rel = (a: number, b: number) => Math.abs(a - b) / b;

describe('vessel network of synthetic phantoms against their centreline truth', () => {
  const shape: Vec3 = [96, 96, 96];
  for (const seed of [1, 2, 3, 7]) {
    it(`seed ${seed}: components exact, junctions and total length within 5 %, mean radius within 0.5 voxel`, async () => {
      const net = generateVesselNetwork({ shape, seed });
      const truth = networkTruth(net);
      const mask = new PhantomRenderer(net, { seed }).mask([0, 0, 0], shape);
      const a = await analyzeVolume(memoryReader(mask, shape), shape, { threshold: 0.5, min_size: 0 });
      const s = a.summary;
      expect(truth.n_junctions).toBeGreaterThan(2); // the check means something
      expect(s.n_components).toBe(truth.n_components);
      expect(a.components.length).toBe(truth.n_components);
      expect(Math.abs(s.n_junctions - truth.n_junctions)).toBeLessThanOrEqual(Math.floor(0.05 * truth.n_junctions));
      expect(rel(s.total_length_um, truth.total_length_voxels)).toBeLessThan(0.05);
      expect(Math.abs(s.mean_radius_um - truth.mean_radius_voxels)).toBeLessThan(0.5);
      expect(s.cyclomatic_number).toBe(truth.cyclomatic_number);
    });
  }

  it('a flat (2-D) network, with hole filling: counts exact, length within 5 %', async () => {
    const flat: Vec3 = [1, 256, 256];
    for (const seed of [1, 2, 3]) {
      const net = generateVesselNetwork({ shape: flat, seed, lengthDensity: 1 / 100 });
      const truth = networkTruth(net);
      const mask = new PhantomRenderer(net, { seed }).mask([0, 0, 0], flat);
      const a = await analyzeVolume(memoryReader(mask, flat), flat, { threshold: 0.5, min_size: 0, block: 64, fill_holes: true });
      expect(truth.n_junctions).toBeGreaterThan(5);
      expect(a.summary.n_components).toBe(truth.n_components);
      expect(a.summary.n_junctions).toBe(truth.n_junctions);
      expect(a.summary.n_endpoints).toBe(truth.n_endpoints);
      expect(rel(a.summary.total_length_um, truth.total_length_voxels)).toBeLessThan(0.05);
    }
  });

  it('anisotropic voxels: lengths in µm follow voxel_size per axis', async () => {
    const net = generateVesselNetwork({ shape, seed: 5 });
    const voxelSize: Vec3 = [2, 0.65, 0.65];
    const truth = networkTruth(net, voxelSize);
    const mask = new PhantomRenderer(net, { seed: 5 }).mask([0, 0, 0], shape);
    const a = await analyzeVolume(memoryReader(mask, shape), shape, { threshold: 0.5, min_size: 0 }, voxelSize);
    expect(a.summary.n_components).toBe(truth.n_components);
    expect(rel(a.summary.total_length_um, truth.total_length_um)).toBeLessThan(0.05);
    expect(a.summary.volume_um3).toBeCloseTo(96 ** 3 * 2 * 0.65 * 0.65, 3);
  });

  it('a noisy synthetic tile read from Zarr, Otsu threshold: same counts as the truth; network/ files written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-analysis-'));
    try {
      const res = await synthCampaign({ outDir: dir, grid: [1, 1, 1], tileShape: [96, 96, 96], seed: 3, stageError: 0 });
      const src = await zarrBlockSource(res.storePath, 'tiles/t_0_0_0');
      const a = await analyzeVolume(src, src.shape, { threshold: 'otsu', min_size: 50, block: 48 });
      const t = res.truth.network;
      // Otsu lands between the background (~0.25 × gain) and vessels (~1 × gain), in raw units.
      expect(a.threshold).toBeGreaterThan(400 + 2000 * 0.4);
      expect(a.threshold).toBeLessThan(400 + 2000 * 0.9);
      expect(a.summary.n_components).toBe(t.n_components);
      expect(Math.abs(a.summary.n_junctions - t.n_junctions)).toBeLessThanOrEqual(Math.floor(0.05 * t.n_junctions));
      expect(rel(a.summary.total_length_um, t.total_length_um)).toBeLessThan(0.05);
      const out = join(dir, 'network');
      await writeNetwork(out, a);
      for (const f of ['branches.csv', 'nodes.csv', 'summary.json', 'components.csv', 'graph.graphml', 'graph.gexf', 'skeleton.swc']) expect(existsSync(join(out, f))).toBe(true);
      const branches = readFileSync(join(out, 'branches.csv'), 'utf8').trim().split('\n');
      expect(branches[0].startsWith('branch_id,node_src,node_dst,branch_type,length_um,euclidean_um,tortuosity,mean_radius_um,min_radius_um,max_radius_um,on_border')).toBe(true);
      expect(branches.length - 1).toBe(a.summary.n_branches);
      const nodes = readFileSync(join(out, 'nodes.csv'), 'utf8').trim().split('\n');
      expect(nodes[0].startsWith('node_id,z,y,x,degree,kind')).toBe(true);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      for (const k of ['total_length_um', 'n_branches', 'n_junctions', 'n_endpoints', 'n_components', 'cyclomatic_number', 'volume_fraction', 'length_density_per_mm3', 'mean_radius_um']) expect(summary).toHaveProperty(k);
      expect(summary.parameters.threshold).toBe('otsu');
      const comps = readFileSync(join(out, 'components.csv'), 'utf8').trim().split('\n');
      expect(comps.length - 1).toBe(a.components.length);
      const swc = readFileSync(join(out, 'skeleton.swc'), 'utf8').trim().split('\n').filter((l) => !l.startsWith('#'));
      expect(swc.length).toBe(a.skeleton.indices.length);
      // SWC is a forest: one root per connected piece of skeleton.
      expect(swc.filter((l) => l.endsWith(' -1')).length).toBe(a.summary.n_components);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('graph files', () => {
  it('graph.graphml parses back (graphology-graphml) and graph.gexf (graphology-gexf, written by us) with the same nodes, edges and attributes', async () => {
    const { parse: parseGraphml } = await import('graphology-graphml');
    const { parse: parseGexf } = await import('graphology-gexf');
    const { MultiUndirectedGraph } = await import('graphology');
    const shape: Vec3 = [64, 64, 64];
    const net = generateVesselNetwork({ shape, seed: 2 });
    const mask = new PhantomRenderer(net, { seed: 2 }).mask([0, 0, 0], shape);
    const a = await analyzeVolume(memoryReader(mask, shape), shape, { threshold: 0.5, min_size: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'sg-graphml-'));
    try {
      await writeNetwork(dir, a);
      const xml = readFileSync(join(dir, 'graph.graphml'), 'utf8');
      const gexf = readFileSync(join(dir, 'graph.gexf'), 'utf8');
      const g1 = parseGraphml(MultiUndirectedGraph, xml);
      expect(g1.order).toBe(a.graph.nodes.length);
      expect(g1.size).toBe(a.graph.branches.length);
      const b0 = a.graph.branches[0];
      expect(g1.getEdgeAttribute(`${b0.id}`, 'length_um')).toBeCloseTo(b0.length_um, 6);
      expect(g1.getNodeAttribute(`${b0.src}`, 'kind')).toBe(a.graph.nodes[b0.src].kind);
      const g2 = parseGexf(MultiUndirectedGraph, gexf);
      expect(g2.order).toBe(a.graph.nodes.length);
      expect(g2.size).toBe(a.graph.branches.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

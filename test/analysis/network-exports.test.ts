import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { writeNetwork } from '../../src/analysis/write-network.js';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { memoryReader } from './_memory-reader.js';
import { PYTHON } from './_python.js';

/** Every export read back with the tools people use (networkx, pandas), compared in Python. */
const CHECK = `
import sys, json, math
import networkx as nx, pandas as pd
D = sys.argv[1]
out = {}
nodes = pd.read_csv(D + '/nodes.csv'); br = pd.read_csv(D + '/branches.csv'); comps = pd.read_csv(D + '/components.csv')
summary = json.load(open(D + '/summary.json'))
gm = nx.read_graphml(D + '/graph.graphml', force_multigraph=True); gx = nx.read_gexf(D + '/graph.gexf')
out['graphml_graph'] = {k: gm.graph[k] for k in sorted(gm.graph) if k.startswith('origin') or k.startswith('voxel')}
out['gexf_meta_origin'] = 'origin_z_um=' in open(D + '/graph.gexf').read()
out['n'] = [len(nodes), gm.number_of_nodes(), gx.number_of_nodes()]
out['e'] = [len(br), gm.number_of_edges(), gx.number_of_edges()]
out['node_ids_equal'] = sorted(map(str, nodes.node_id)) == sorted(gm.nodes) == sorted(gx.nodes)
na = lambda g: sorted(set(k for _, d in g.nodes(data=True) for k in d) - {'viz', 'label'})
ea = lambda g: sorted(set(k for *_, d in g.edges(data=True) for k in d) - {'id', 'label', 'weight'})
out['node_attrs'] = [sorted(set(nodes.columns) - {'node_id'}), na(gm), na(gx)]
out['edge_attrs'] = [sorted(set(br.columns) - {'branch_id', 'node_src', 'node_dst'}), ea(gm), ea(gx)]
out['bool_types'] = [str(br.on_border.dtype), sorted(set(type(d['on_border']).__name__ for *_, d in gm.edges(data=True))), sorted(set(type(d['on_border']).__name__ for *_, d in gx.edges(data=True)))]
out['border_counts'] = [int(br.on_border.sum()), sum(d['on_border'] for *_, d in gm.edges(data=True)), sum(d['on_border'] for *_, d in gx.edges(data=True))]
bad = 0
for r in nodes.itertuples():
    v = gx.nodes[str(r.node_id)]; p = v['viz']['position']; m = gm.nodes[str(r.node_id)]
    bad += abs(p['z'] - r.z_um) > 1e-3 or abs(p['y'] - r.y_um) > 1e-3 or abs(p['x'] - r.x_um) > 1e-3
    bad += abs(m['z_um'] - r.z_um) > 1e-6 or abs(m['x_vox'] - r.x_vox) > 1e-6 or m['component'] != r.component or m['kind'] != r.kind
out['bad_nodes'] = int(bad)
bad = 0
edges_by_id = lambda g: {str(d.get('id', k)): (set((u, v)), d) for u, v, k, d in (g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True)))}
byid, byidx = edges_by_id(gm), edges_by_id(gx)
for r in br.itertuples():
    for ends, e in (byid[str(r.branch_id)], byidx[str(r.branch_id)]):
        bad += ends != set((str(r.node_src), str(r.node_dst))) or abs(e['length_um'] - r.length_um) > 1e-6 or e['branch_type'] != r.branch_type or e['component'] != r.component
out['bad_branches'] = int(bad)
out['components_join'] = bool(set(nodes.component) <= set(comps.label))
swc = pd.read_csv(D + '/skeleton.swc', sep=' ', comment='#', header=None, names=['id', 'type', 'x', 'y', 'z', 'r', 'parent'])
out['swc'] = [len(swc), float(swc.z.min()), float(swc.y.min()), float(swc.x.min())]
out['swc_header_origin'] = 'origin_z_um=' in open(D + '/skeleton.swc').read()
out['summary_origin'] = summary['origin_um']
print(json.dumps(out))
`;

describe('network exports agree and load in networkx and pandas', () => {
  it('one vocabulary, ids, booleans and units; the image origin in every file; GEXF positions in networkx', async () => {
    const shape: Vec3 = [40, 56, 64];
    // A crop of a larger network: vessels cut by the volume's faces (on_border true).
    const net = generateVesselNetwork({ shape: [40, 96, 112], seed: 5 });
    const mask = new PhantomRenderer(net, { seed: 5 }).mask([0, 0, 0], shape);
    const voxelSize: Vec3 = [2, 0.5, 0.5], originUm: Vec3 = [100, -20, 7.5];
    const a = await analyzeVolume(memoryReader(mask, shape), shape, { threshold: 0.5, min_size: 0, block: 32 }, voxelSize, undefined, { originUm });
    const dir = mkdtempSync(join(tmpdir(), 'sg-exports-'));
    try {
      const res = await writeNetwork(dir, a);
      expect(res.skipped).toEqual([]);
      const out = JSON.parse(execFileSync(PYTHON, ['-c', CHECK, dir]).toString());
      expect(out.graphml_graph).toEqual({ origin_x_um: 7.5, origin_y_um: -20, origin_z_um: 100, voxel_size_x_um: 0.5, voxel_size_y_um: 0.5, voxel_size_z_um: 2 });
      expect(out.gexf_meta_origin).toBe(true);
      const n = a.graph.nodes.length, e = a.graph.branches.length;
      expect(n).toBeGreaterThan(10);
      expect(out.n).toEqual([n, n, n]);
      expect(out.e).toEqual([e, e, e]);
      expect(out.node_ids_equal).toBe(true);
      expect(out.node_attrs[1]).toEqual(out.node_attrs[0]);
      expect(out.node_attrs[2]).toEqual(out.node_attrs[0]);
      for (const k of ['z_vox', 'y_vox', 'x_vox', 'z_um', 'y_um', 'x_um', 'z', 'y', 'x', 'radius_um', 'component']) expect(out.node_attrs[0]).toContain(k);
      // Tortuosity is undefined for loops: absent there, present elsewhere; the names are the same.
      expect(out.edge_attrs[1]).toEqual(out.edge_attrs[0]);
      expect(out.edge_attrs[2]).toEqual(out.edge_attrs[0]);
      expect(out.bool_types).toEqual(['bool', ['bool'], ['bool']]);
      const border = a.graph.branches.filter((b) => b.on_border).length;
      expect(border).toBeGreaterThan(0);
      expect(out.border_counts).toEqual([border, border, border]);
      expect(out.bad_nodes).toBe(0);
      expect(out.bad_branches).toBe(0);
      expect(out.components_join).toBe(true);
      expect(out.swc[0]).toBe(a.skeleton.indices.length);
      expect(out.swc[1]).toBeGreaterThanOrEqual(100);
      expect(out.swc[2]).toBeGreaterThanOrEqual(-20);
      expect(out.swc[2]).toBeLessThan(-20 + 56 * 0.5);
      expect(out.swc[3]).toBeGreaterThanOrEqual(7.5);
      expect(out.swc_header_origin).toBe(true);
      expect(out.summary_origin).toEqual([100, -20, 7.5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips the whole-network files above the limits the user sets, with the reason', async () => {
    const shape: Vec3 = [32, 32, 32];
    const mask = new PhantomRenderer(generateVesselNetwork({ shape, seed: 1 }), { seed: 1 }).mask([0, 0, 0], shape);
    const a = await analyzeVolume(memoryReader(mask, shape), shape, { threshold: 0.5, min_size: 0, export_max_branches: 1, export_max_swc_samples: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'sg-exports-'));
    try {
      const res = await writeNetwork(dir, a);
      expect(res.skipped.map((s) => s.file)).toEqual(['graph.graphml', 'graph.gexf', 'skeleton.swc']);
      expect(res.skipped[0].reason).toMatch(/export_max_branches = 1/);
      expect(res.written.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['branches.csv', 'components.csv', 'nodes.csv', 'summary.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

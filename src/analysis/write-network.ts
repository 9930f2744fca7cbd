import { join } from 'node:path';
import { write as writeGexf } from 'graphology-gexf';
import { writeFileAtomic, writeJsonAtomic } from '../files/write-atomic.js';
import type { VolumeAnalysis } from './analyze-volume.js';
import { skeletonGraphology } from '../graph/skeleton-graphology.js';
import { skeletonGraphml } from '../graph/skeleton-graphml.js';
import { skeletonSwc } from '../graph/skeleton-swc.js';

/** Above this many branches, graph.graphml / graph.gexf are skipped (the CSV tables remain). */
export const MAX_GRAPH_EXPORT_EDGES = 5_000_000;

const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : '');

function csv(header: string[], rows: (string | number | boolean)[][]): string {
  return [header.join(','), ...rows.map((r) => r.map((v) => (typeof v === 'number' ? num(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v)).join(','))].join('\n') + '\n';
}

/**
 * Write `network/` (ARCHITECTURE.md): branches.csv, nodes.csv, summary.json, components.csv,
 * graph.graphml, graph.gexf and skeleton.swc, each atomically. Returns the paths written.
 */
export async function writeNetwork(dir: string, a: VolumeAnalysis): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, text: string) => {
    await writeFileAtomic(join(dir, name), text);
    written.push(join(dir, name));
  };
  const g = a.graph;
  await put(
    'branches.csv',
    csv(
      ['branch_id', 'node_src', 'node_dst', 'branch_type', 'length_um', 'euclidean_um', 'tortuosity', 'mean_radius_um', 'min_radius_um', 'max_radius_um', 'on_border', 'steps_length_um', 'voxels', 'component'],
      g.branches.map((b) => [b.id, b.src, b.dst, b.type, b.length_um, b.euclidean_um, b.tortuosity, b.mean_radius_um, b.min_radius_um, b.max_radius_um, b.on_border, b.steps_length_um, b.voxels, b.component]),
    ),
  );
  await put('nodes.csv', csv(['node_id', 'z', 'y', 'x', 'degree', 'kind', 'radius_um', 'voxels', 'component'], g.nodes.map((n) => [n.id, n.z, n.y, n.x, n.degree, n.kind, n.radius_um, n.voxels, n.component])));
  const cols = ['label', 'voxels', 'volume_um3', 'surface_um2', 'centroid_z', 'centroid_y', 'centroid_x', 'bbox_z0', 'bbox_y0', 'bbox_x0', 'bbox_z1', 'bbox_y1', 'bbox_x1', 'radius_major_um', 'radius_mid_um', 'radius_minor_um', 'axis_major_z', 'axis_major_y', 'axis_major_x', 'sphericity'] as const;
  await put('components.csv', csv([...cols], a.components.map((c) => cols.map((k) => c[k]))));
  await writeJsonAtomic(join(dir, 'summary.json'), a.summary);
  written.push(join(dir, 'summary.json'));
  if (g.branches.length <= MAX_GRAPH_EXPORT_EDGES) {
    await put('graph.graphml', skeletonGraphml(g));
    await put('graph.gexf', writeGexf(skeletonGraphology(g)));
  }
  await put('skeleton.swc', skeletonSwc(a.skeleton.indices, a.skeleton.radii, a.shape, a.voxelSize));
  return written;
}

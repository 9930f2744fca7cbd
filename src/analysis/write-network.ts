import { join } from 'node:path';
import { writeJsonAtomic } from '../files/write-atomic.js';
import type { VolumeAnalysis } from './analyze-volume.js';
import { componentLines } from './_component-lines.js';
import { skeletonGraphmlLines } from '../graph/skeleton-graphml.js';
import { skeletonGexfLines } from '../graph/skeleton-gexf.js';
import { skeletonSwcLines } from '../graph/skeleton-swc.js';
import { attrText, branchAttributes, nodeAttributes, type Attr, type ImageFrame } from '../graph/skeleton-attributes.js';
import { writeLinesAtomic } from './_line-file-writer.js';

/** Default of `analysis.export_max_branches` (graph.graphml / graph.gexf skipped above it). */
export const MAX_GRAPH_EXPORT_EDGES = 5_000_000;

export interface WriteNetworkResult {
  written: string[];
  /** Files left out, with the reason (a size above the user's limit). */
  skipped: { file: string; reason: string }[];
}

function* csvLines<T>(id: string, idOf: (t: T) => number, attrs: Attr<T>[], rows: Iterable<T>, lead: Attr<T>[] = []): Generator<string> {
  const cols = [...lead, ...attrs];
  yield [id, ...cols.map((a) => a.name)].join(',');
  for (const r of rows) yield [idOf(r), ...cols.map((a) => attrText(a.value(r)))].join(',');
}

/**
 * Write `network/` (ARCHITECTURE.md): branches.csv, nodes.csv, components.csv, summary.json,
 * graph.graphml, graph.gexf and skeleton.swc, each streamed line by line to a temporary file and
 * renamed. The graph files are skipped above `analysis.export_max_branches` branches and the SWC
 * above `analysis.export_max_swc_samples` voxels (the tables remain the source of truth).
 */
export async function writeNetwork(dir: string, a: VolumeAnalysis): Promise<WriteNetworkResult> {
  const res: WriteNetworkResult = { written: [], skipped: [] };
  const frame: ImageFrame = { voxelSize: a.voxelSize, originUm: a.originUm ?? [0, 0, 0] };
  const put = async (name: string, lines: Iterable<string>) => {
    await writeLinesAtomic(join(dir, name), lines);
    res.written.push(join(dir, name));
  };
  const g = a.graph;
  const ends: Attr<(typeof g.branches)[number]>[] = [
    { name: 'node_src', type: 'int', value: (b) => b.src },
    { name: 'node_dst', type: 'int', value: (b) => b.dst },
  ];
  await put('branches.csv', csvLines('branch_id', (b) => b.id, branchAttributes(), g.branches, ends));
  await put('nodes.csv', csvLines('node_id', (n) => n.id, nodeAttributes(frame), g.nodes));
  await put('components.csv', componentLines(a.components, frame));
  await writeJsonAtomic(join(dir, 'summary.json'), a.summary);
  res.written.push(join(dir, 'summary.json'));
  const maxBranches = a.settings.export_max_branches ?? MAX_GRAPH_EXPORT_EDGES;
  if (g.branches.length <= maxBranches) {
    await put('graph.graphml', skeletonGraphmlLines(g, frame));
    await put('graph.gexf', skeletonGexfLines(g, frame));
  } else {
    const reason = `${g.branches.length} branches > analysis.export_max_branches = ${maxBranches}`;
    res.skipped.push({ file: 'graph.graphml', reason }, { file: 'graph.gexf', reason });
  }
  const maxSamples = a.settings.export_max_swc_samples ?? 50_000_000;
  if (a.skeleton.indices.length <= maxSamples) await put('skeleton.swc', skeletonSwcLines(a.skeleton.indices, a.skeleton.radii, a.shape, frame));
  else res.skipped.push({ file: 'skeleton.swc', reason: `${a.skeleton.indices.length} skeleton voxels > analysis.export_max_swc_samples = ${maxSamples}` });
  return res;
}

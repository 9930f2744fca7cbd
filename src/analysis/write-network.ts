import type { VolumeAnalysis } from './analyze-volume.js';
import { NetworkStreamWriter, type WriteNetworkResult } from './network-stream-writer.js';

export { MAX_GRAPH_EXPORT_EDGES, type WriteNetworkResult } from './network-stream-writer.js';

/**
 * Write `network/` (ARCHITECTURE.md) of an analysis held in memory: branches.csv, nodes.csv,
 * components.csv, summary.json, graph.graphml, graph.gexf and skeleton.swc, each written to a
 * temporary file and renamed. The same writer as the streamed graph pass, given the whole graph as
 * one piece, so both give the same bytes. The graph files are skipped above
 * `analysis.export_max_branches` branches and the SWC above `analysis.export_max_swc_samples`
 * voxels (the tables remain the source of truth).
 */
export async function writeNetwork(dir: string, a: VolumeAnalysis): Promise<WriteNetworkResult> {
  const writer = new NetworkStreamWriter(dir, a.shape, { voxelSize: a.voxelSize, originUm: a.originUm ?? [0, 0, 0] }, a.settings);
  try {
    writer.add({ nodes: a.graph.nodes, branches: a.graph.branches, skeleton: a.skeleton });
    return await writer.finish(a.components, a.summary);
  } catch (err) {
    writer.discard();
    throw err;
  }
}

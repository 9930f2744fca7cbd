import { MultiUndirectedGraph } from 'graphology';
import type { SkeletonGraph } from './skeleton-graph.js';

/**
 * A graphology graph of skeleton tables (undirected multigraph with self-loops: parallel branches
 * and loops are real). One graphology graph holds at most about 16.7 M edges (a V8 Map limit):
 * build it for a region or for the reduced network, keep the tables as the source of truth.
 * Attributes are plain numbers for GEXF: `on_border` 0/1, undefined tortuosity (loops) −1.
 */
export function skeletonGraphology(g: SkeletonGraph): MultiUndirectedGraph {
  const graph = new MultiUndirectedGraph({ allowSelfLoops: true });
  for (const n of g.nodes) graph.addNode(String(n.id), { z: n.z, y: n.y, x: n.x, degree: n.degree, kind: n.kind, radius_um: n.radius_um, component: n.component });
  for (const b of g.branches) {
    const { id, src, dst, ...attrs } = b;
    graph.addEdgeWithKey(String(id), String(src), String(dst), { ...attrs, tortuosity: Number.isFinite(attrs.tortuosity) ? attrs.tortuosity : -1, on_border: attrs.on_border ? 1 : 0 });
  }
  return graph;
}

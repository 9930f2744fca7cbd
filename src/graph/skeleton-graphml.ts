import type { SkeletonBranch, SkeletonGraph, SkeletonNode } from './skeleton-graph.js';
import { attrText, branchAttributes, frameFields, nodeAttributes, type ImageFrame } from './skeleton-attributes.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The pieces of a GraphML file, for writers that stream nodes and edges from elsewhere. */
export interface GraphFileFormat {
  head: string[];
  node: (n: SkeletonNode) => string;
  /** Between the last node and the first edge. */
  middle: string[];
  edge: (b: SkeletonBranch) => string;
  tail: string[];
}

/** GraphML head, node and edge lines, and tail for the image frame `frame`. */
export function skeletonGraphmlFormat(frame: ImageFrame = { voxelSize: [1, 1, 1], originUm: [0, 0, 0] }): GraphFileFormat {
  const nodeKeys = nodeAttributes(frame), edgeKeys = branchAttributes();
  const frameData = frameFields(frame);
  const head = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
    ...frameData.map(([k]) => `  <key id="g_${k}" for="graph" attr.name="${k}" attr.type="double"/>`),
    ...nodeKeys.map((a) => `  <key id="n_${a.name}" for="node" attr.name="${a.name}" attr.type="${a.type}"/>`),
    ...edgeKeys.map((a) => `  <key id="e_${a.name}" for="edge" attr.name="${a.name}" attr.type="${a.type}"/>`),
    '  <graph id="skeleton" edgedefault="undirected">',
    ...frameData.map(([k, v]) => `    <data key="g_${k}">${v}</data>`),
  ];
  const node = (n: SkeletonNode) => {
    let s = `    <node id="${n.id}">`;
    for (const a of nodeKeys) {
      const t = attrText(a.value(n));
      if (t !== '') s += `<data key="n_${a.name}">${esc(t)}</data>`;
    }
    return s + '</node>';
  };
  const edge = (b: SkeletonBranch) => {
    let s = `    <edge id="${b.id}" source="${b.src}" target="${b.dst}">`;
    for (const a of edgeKeys) {
      const t = attrText(a.value(b));
      if (t !== '') s += `<data key="e_${a.name}">${t}</data>`;
    }
    return s + '</edge>';
  };
  return { head, node, middle: [], edge, tail: ['  </graph>', '</graphml>'] };
}

/**
 * GraphML of the skeleton graph, line by line (written as it is generated: graphology-graphml
 * only parses, and a whole-network string would not fit in memory). Node ids are node_id, edge
 * ids branch_id; attributes are those of nodes.csv and branches.csv (skeleton-attributes.ts);
 * undefined tortuosity (loops) is left out; the image frame is graph data.
 */
export function* skeletonGraphmlLines(g: SkeletonGraph, frame?: ImageFrame): Generator<string> {
  yield* graphFileLines(skeletonGraphmlFormat(frame), g);
}

/** A whole graph through a format's pieces. */
export function* graphFileLines(f: GraphFileFormat, g: SkeletonGraph): Generator<string> {
  yield* f.head;
  for (const n of g.nodes) yield f.node(n);
  yield* f.middle;
  for (const b of g.branches) yield f.edge(b);
  yield* f.tail;
}

/** The whole GraphML as one string (small graphs, tests). */
export function skeletonGraphml(g: SkeletonGraph, frame?: ImageFrame): string {
  return [...skeletonGraphmlLines(g, frame), ''].join('\n');
}

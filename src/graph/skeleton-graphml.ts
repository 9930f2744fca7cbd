import type { SkeletonGraph } from './skeleton-graph.js';
import { attrText, branchAttributes, frameFields, nodeAttributes, type ImageFrame } from './skeleton-attributes.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * GraphML of the skeleton graph, line by line (written as it is generated: graphology-graphml
 * only parses, and a whole-network string would not fit in memory). Node ids are node_id, edge
 * ids branch_id; attributes are those of nodes.csv and branches.csv (skeleton-attributes.ts);
 * undefined tortuosity (loops) is left out; the image frame is graph data.
 */
export function* skeletonGraphmlLines(g: SkeletonGraph, frame: ImageFrame = { voxelSize: [1, 1, 1], originUm: [0, 0, 0] }): Generator<string> {
  const nodeKeys = nodeAttributes(frame), edgeKeys = branchAttributes();
  yield '<?xml version="1.0" encoding="UTF-8"?>';
  yield '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">';
  const frameData = frameFields(frame);
  for (const [k] of frameData) yield `  <key id="g_${k}" for="graph" attr.name="${k}" attr.type="double"/>`;
  for (const a of nodeKeys) yield `  <key id="n_${a.name}" for="node" attr.name="${a.name}" attr.type="${a.type}"/>`;
  for (const a of edgeKeys) yield `  <key id="e_${a.name}" for="edge" attr.name="${a.name}" attr.type="${a.type}"/>`;
  yield '  <graph id="skeleton" edgedefault="undirected">';
  for (const [k, v] of frameData) yield `    <data key="g_${k}">${v}</data>`;
  for (const n of g.nodes) {
    let s = `    <node id="${n.id}">`;
    for (const a of nodeKeys) {
      const t = attrText(a.value(n));
      if (t !== '') s += `<data key="n_${a.name}">${esc(t)}</data>`;
    }
    yield s + '</node>';
  }
  for (const b of g.branches) {
    let s = `    <edge id="${b.id}" source="${b.src}" target="${b.dst}">`;
    for (const a of edgeKeys) {
      const t = attrText(a.value(b));
      if (t !== '') s += `<data key="e_${a.name}">${t}</data>`;
    }
    yield s + '</edge>';
  }
  yield '  </graph>';
  yield '</graphml>';
}

/** The whole GraphML as one string (small graphs, tests). */
export function skeletonGraphml(g: SkeletonGraph, frame?: ImageFrame): string {
  return [...skeletonGraphmlLines(g, frame), ''].join('\n');
}

import type { SkeletonGraph } from './skeleton-graph.js';
import { attrText, branchAttributes, frameFields, nodeAttributes, type ImageFrame } from './skeleton-attributes.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * GEXF 1.2 of the skeleton graph, line by line. Written here rather than by graphology-gexf,
 * whose `viz` namespace declaration networkx does not recognise (node positions were lost).
 * Attributes, ids and booleans are those of GraphML and the CSV tables (skeleton-attributes.ts);
 * `viz:position` is the node's position in µm of the image frame (x, y, z); the frame itself is in
 * `meta/description` (GEXF has no graph attributes).
 */
export function* skeletonGexfLines(g: SkeletonGraph, frame: ImageFrame = { voxelSize: [1, 1, 1], originUm: [0, 0, 0] }): Generator<string> {
  const nodeKeys = nodeAttributes(frame), edgeKeys = branchAttributes();
  const gtype = (t: string) => (t === 'int' ? 'long' : t);
  const [oz, oy, ox] = frame.originUm, [vz, vy, vx] = frame.voxelSize;
  yield '<?xml version="1.0" encoding="UTF-8"?>';
  yield '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" version="1.2">';
  yield `  <meta><creator>stitchgraph</creator><description>skeleton graph; ${frameFields(frame).map(([k, v]) => `${k}=${v}`).join('; ')}</description></meta>`;
  yield '  <graph mode="static" defaultedgetype="undirected">';
  yield '    <attributes class="node">';
  for (const a of nodeKeys) yield `      <attribute id="${a.name}" title="${a.name}" type="${gtype(a.type)}"/>`;
  yield '    </attributes>';
  yield '    <attributes class="edge">';
  for (const a of edgeKeys) yield `      <attribute id="${a.name}" title="${a.name}" type="${gtype(a.type)}"/>`;
  yield '    </attributes>';
  yield '    <nodes>';
  for (const n of g.nodes) {
    let s = `      <node id="${n.id}" label="${n.id}"><attvalues>`;
    for (const a of nodeKeys) {
      const t = attrText(a.value(n));
      if (t !== '') s += `<attvalue for="${a.name}" value="${esc(t)}"/>`;
    }
    s += `</attvalues><viz:position x="${attrText(ox + n.x * vx)}" y="${attrText(oy + n.y * vy)}" z="${attrText(oz + n.z * vz)}"/></node>`;
    yield s;
  }
  yield '    </nodes>';
  yield '    <edges>';
  for (const b of g.branches) {
    let s = `      <edge id="${b.id}" source="${b.src}" target="${b.dst}"><attvalues>`;
    for (const a of edgeKeys) {
      const t = attrText(a.value(b));
      if (t !== '') s += `<attvalue for="${a.name}" value="${t}"/>`;
    }
    yield s + '</attvalues></edge>';
  }
  yield '    </edges>';
  yield '  </graph>';
  yield '</gexf>';
}

import type { SkeletonBranch, SkeletonGraph, SkeletonNode } from './skeleton-graph.js';
import { graphFileLines, type GraphFileFormat } from './skeleton-graphml.js';
import { attrText, branchAttributes, frameFields, nodeAttributes, type ImageFrame } from './skeleton-attributes.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * GEXF 1.2 of the skeleton graph, line by line. Written here rather than by graphology-gexf,
 * whose `viz` namespace declaration networkx does not recognise (node positions were lost).
 * Attributes, ids and booleans are those of GraphML and the CSV tables (skeleton-attributes.ts);
 * `viz:position` is the node's position in µm of the image frame (x, y, z); the frame itself is in
 * `meta/description` (GEXF has no graph attributes).
 */
export function* skeletonGexfLines(g: SkeletonGraph, frame?: ImageFrame): Generator<string> {
  yield* graphFileLines(skeletonGexfFormat(frame), g);
}

/** GEXF head, node lines, the turn from nodes to edges, edge lines and tail for the image frame `frame`. */
export function skeletonGexfFormat(frame: ImageFrame = { voxelSize: [1, 1, 1], originUm: [0, 0, 0] }): GraphFileFormat {
  const nodeKeys = nodeAttributes(frame), edgeKeys = branchAttributes();
  const gtype = (t: string) => (t === 'int' ? 'long' : t);
  const [oz, oy, ox] = frame.originUm, [vz, vy, vx] = frame.voxelSize;
  const head = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" version="1.2">',
    `  <meta><creator>stitchgraph</creator><description>skeleton graph; ${frameFields(frame).map(([k, v]) => `${k}=${v}`).join('; ')}</description></meta>`,
    '  <graph mode="static" defaultedgetype="undirected">',
    '    <attributes class="node">',
    ...nodeKeys.map((a) => `      <attribute id="${a.name}" title="${a.name}" type="${gtype(a.type)}"/>`),
    '    </attributes>',
    '    <attributes class="edge">',
    ...edgeKeys.map((a) => `      <attribute id="${a.name}" title="${a.name}" type="${gtype(a.type)}"/>`),
    '    </attributes>',
    '    <nodes>',
  ];
  const node = (n: SkeletonNode) => {
    let s = `      <node id="${n.id}" label="${n.id}"><attvalues>`;
    for (const a of nodeKeys) {
      const t = attrText(a.value(n));
      if (t !== '') s += `<attvalue for="${a.name}" value="${esc(t)}"/>`;
    }
    return s + `</attvalues><viz:position x="${attrText(ox + n.x * vx)}" y="${attrText(oy + n.y * vy)}" z="${attrText(oz + n.z * vz)}"/></node>`;
  };
  const edge = (b: SkeletonBranch) => {
    let s = `      <edge id="${b.id}" source="${b.src}" target="${b.dst}"><attvalues>`;
    for (const a of edgeKeys) {
      const t = attrText(a.value(b));
      if (t !== '') s += `<attvalue for="${a.name}" value="${t}"/>`;
    }
    return s + '</attvalues></edge>';
  };
  return { head, node, middle: ['    </nodes>', '    <edges>'], edge, tail: ['    </edges>', '  </graph>', '</gexf>'] };
}

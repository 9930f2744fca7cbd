import type { SkeletonGraph } from './skeleton-graph.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * GraphML of the skeleton graph, written directly (graphology-graphml only parses). Node and edge
 * attributes are those of nodes.csv and branches.csv; undefined tortuosity (loops) is omitted.
 */
export function skeletonGraphml(g: SkeletonGraph): string {
  const nodeKeys: [string, string][] = [['z', 'double'], ['y', 'double'], ['x', 'double'], ['degree', 'int'], ['kind', 'string'], ['radius_um', 'double'], ['component', 'int']];
  const edgeKeys: [string, string][] = [
    ['branch_type', 'int'], ['length_um', 'double'], ['steps_length_um', 'double'], ['euclidean_um', 'double'], ['tortuosity', 'double'],
    ['mean_radius_um', 'double'], ['min_radius_um', 'double'], ['max_radius_um', 'double'], ['on_border', 'boolean'], ['voxels', 'int'], ['component', 'int'],
  ];
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  ];
  for (const [k, t] of nodeKeys) out.push(`  <key id="n_${k}" for="node" attr.name="${k}" attr.type="${t}"/>`);
  for (const [k, t] of edgeKeys) out.push(`  <key id="e_${k}" for="edge" attr.name="${k}" attr.type="${t}"/>`);
  out.push('  <graph id="skeleton" edgedefault="undirected">');
  for (const n of g.nodes) {
    out.push(`    <node id="n${n.id}">`);
    for (const [k] of nodeKeys) out.push(`      <data key="n_${k}">${esc(String(n[k as keyof typeof n]))}</data>`);
    out.push('    </node>');
  }
  for (const b of g.branches) {
    out.push(`    <edge id="e${b.id}" source="n${b.src}" target="n${b.dst}">`);
    const vals: Record<string, number | boolean> = { ...b, branch_type: b.type };
    for (const [k] of edgeKeys) {
      const v = vals[k];
      if (typeof v === 'number' && !Number.isFinite(v)) continue;
      out.push(`      <data key="e_${k}">${String(v)}</data>`);
    }
    out.push('    </edge>');
  }
  out.push('  </graph>', '</graphml>', '');
  return out.join('\n');
}

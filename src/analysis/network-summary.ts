import type { Vec3 } from '../geometry/box.js';
import type { SkeletonGraph } from '../graph/skeleton-graph.js';

/** summary.json of `network/` (ARCHITECTURE.md), totals of the whole network. */
export interface NetworkSummary {
  total_length_um: number;
  n_branches: number;
  n_junctions: number;
  n_endpoints: number;
  n_isolated_points: number;
  n_isolated_loops: number;
  n_nodes: number;
  /** Connected components of the skeleton graph. */
  n_components: number;
  /** E − V + C: independent loops of the network. */
  cyclomatic_number: number;
  /** Foreground voxels / all voxels. */
  volume_fraction: number;
  volume_um3: number;
  length_density_per_mm3: number;
  /** Length-weighted mean of branch radii (µm). */
  mean_radius_um: number;
  /** Histogram of the radius at every skeleton voxel. */
  radius_histogram: { bin_width_um: number; counts: number[] };
  /** Node degree → number of nodes. */
  degree_distribution: Record<string, number>;
  n_border_branches: number;
  /** Labelled components of the segmentation (after the size filter). */
  n_labelled_components: number;
  parameters: Record<string, unknown>;
}

export interface SummaryInputs {
  shape: Vec3;
  voxelSize: Vec3;
  foregroundVoxels: number;
  skeletonRadii: ArrayLike<number>;
  labelledComponents: number;
  parameters: Record<string, unknown>;
}

/** Totals of a skeleton graph (the reduced network) and its volume. */
export function networkSummary(g: SkeletonGraph, inp: SummaryInputs): NetworkSummary {
  const { shape, voxelSize } = inp;
  const voxels = shape[0] * shape[1] * shape[2];
  const volumeUm3 = voxels * voxelSize[0] * voxelSize[1] * voxelSize[2];
  let total = 0, rl = 0, border = 0;
  for (const b of g.branches) {
    total += b.length_um;
    rl += b.mean_radius_um * b.length_um;
    if (b.on_border) border++;
  }
  const parent = g.nodes.map((n) => n.id);
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (const b of g.branches) parent[find(b.src)] = find(b.dst);
  let comps = 0;
  for (let i = 0; i < parent.length; i++) if (find(i) === i) comps++;
  const degrees: Record<string, number> = {};
  for (const n of g.nodes) degrees[n.degree] = (degrees[n.degree] ?? 0) + 1;
  const binW = Math.min(...voxelSize);
  const counts: number[] = [];
  for (let i = 0; i < inp.skeletonRadii.length; i++) {
    const b = Math.floor(inp.skeletonRadii[i] / binW);
    while (counts.length <= b) counts.push(0);
    counts[b]++;
  }
  return {
    total_length_um: total,
    n_branches: g.branches.length,
    n_junctions: g.nodes.filter((n) => n.kind === 'junction').length,
    n_endpoints: g.nodes.filter((n) => n.kind === 'endpoint').length,
    n_isolated_points: g.nodes.filter((n) => n.kind === 'isolated').length,
    n_isolated_loops: g.nodes.filter((n) => n.kind === 'loop').length,
    n_nodes: g.nodes.length,
    n_components: comps,
    cyclomatic_number: g.branches.length - g.nodes.length + comps,
    volume_fraction: voxels > 0 ? inp.foregroundVoxels / voxels : 0,
    volume_um3: volumeUm3,
    length_density_per_mm3: volumeUm3 > 0 ? total / (volumeUm3 / 1e9) : 0,
    mean_radius_um: total > 0 ? rl / total : 0,
    radius_histogram: { bin_width_um: binW, counts },
    degree_distribution: degrees,
    n_border_branches: border,
    n_labelled_components: inp.labelledComponents,
    parameters: inp.parameters,
  };
}

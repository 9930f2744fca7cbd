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
  /** Components of the network: distinct components.csv labels among its nodes (the graph's connected pieces without labels). */
  n_components: number;
  /**
   * Independent loops: β1 of the mask from its Euler number (Σ over components of 1 − χ), which
   * loops hidden inside junction clusters do not change; E − V + C of the graph when no Euler number is known.
   */
  cyclomatic_number: number;
  /** E − V + C of the skeleton graph (after pruning). */
  graph_cyclomatic_number: number;
  /** Euler characteristic χ of the kept components (26-connectivity: union of closed voxel cubes). */
  euler_number: number | null;
  /** Voxels of the kept components (after the size filter) / all voxels. */
  volume_fraction: number;
  /** Foreground voxels of the kept components. */
  foreground_voxels: number;
  /** Before the size filter (named so: every other field counts the kept components). */
  n_components_before_size_filter: number;
  volume_fraction_before_size_filter: number;
  /** Voxel size (µm, z y x) and position (µm, z y x) of voxel (0, 0, 0): `*_um` = origin + `*_vox` × voxel size. */
  voxel_size_um: [number, number, number];
  origin_um: [number, number, number];
  volume_um3: number;
  length_density_per_mm3: number;
  /** Length-weighted mean of branch radii (µm). */
  mean_radius_um: number;
  /** Histogram of the radius at every skeleton voxel. */
  radius_histogram: { bin_width_um: number; counts: number[] };
  /** Node degree → number of nodes. */
  degree_distribution: Record<string, number>;
  n_border_branches: number;
  /** Labelled components of the segmentation (after the size filter): rows of components.csv. */
  n_labelled_components: number;
  parameters: Record<string, unknown>;
}

export interface SummaryInputs {
  shape: Vec3;
  voxelSize: Vec3;
  /** @default [0, 0, 0] */
  originUm?: Vec3;
  /** Foreground voxels of the kept components. */
  foregroundVoxels: number;
  /** χ of the kept components, when measured. */
  eulerNumber?: number;
  /** β1 of the kept components' mask, when measured. */
  maskLoops?: number;
  beforeSizeFilter?: { components: number; foregroundVoxels: number };
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
  let graphComps = 0;
  for (let i = 0; i < parent.length; i++) if (find(i) === i) graphComps++;
  const labelled = g.nodes.length > 0 && g.nodes.every((n) => n.component > 0);
  const comps = labelled ? new Set(g.nodes.map((n) => n.component)).size : graphComps;
  const graphLoops = g.branches.length - g.nodes.length + graphComps;
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
    cyclomatic_number: inp.maskLoops ?? graphLoops,
    graph_cyclomatic_number: graphLoops,
    euler_number: inp.eulerNumber ?? null,
    volume_fraction: voxels > 0 ? inp.foregroundVoxels / voxels : 0,
    foreground_voxels: inp.foregroundVoxels,
    n_components_before_size_filter: inp.beforeSizeFilter?.components ?? inp.labelledComponents,
    volume_fraction_before_size_filter: voxels > 0 ? (inp.beforeSizeFilter?.foregroundVoxels ?? inp.foregroundVoxels) / voxels : 0,
    voxel_size_um: [voxelSize[0], voxelSize[1], voxelSize[2]],
    origin_um: inp.originUm ? [inp.originUm[0], inp.originUm[1], inp.originUm[2]] : [0, 0, 0],
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

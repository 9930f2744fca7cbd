import type { Vec3 } from '../geometry/box.js';
import type { SkeletonGraph } from '../graph/skeleton-graph.js';
import { NetworkSummaryAccumulator } from './network-summary-accumulator.js';

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

/** Totals of a skeleton graph (the reduced network) and its volume, held whole (the streamed merge feeds `NetworkSummaryAccumulator` piece by piece). */
export function networkSummary(g: SkeletonGraph, inp: SummaryInputs): NetworkSummary {
  const acc = new NetworkSummaryAccumulator(Math.min(...inp.voxelSize));
  acc.addGraph(g.nodes, g.branches);
  acc.addRadii(inp.skeletonRadii);
  return acc.finish(inp);
}

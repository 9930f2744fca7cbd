/**
 * summary.json totals accumulated from the network tables as they stream past (nodes and branches
 * piece by piece, skeleton radii block by block): running sums and counts, nothing per row kept.
 * Graph pieces (connected parts of the graph) are counted per piece handed in, so a piece must hold
 * whole connected parts (what `StreamingGraphMerge` hands on, or a whole graph).
 */
import type { SkeletonBranch, SkeletonNode } from '../graph/skeleton-graph.js';
import type { NetworkSummary, SummaryInputs } from './network-summary.js';

export class NetworkSummaryAccumulator {
  private totalLength = 0;
  private radiusLength = 0;
  private border = 0;
  private branches = 0;
  private nodes = 0;
  private readonly kinds = { junction: 0, endpoint: 0, isolated: 0, loop: 0 };
  private readonly degrees: Record<string, number> = {};
  private graphPieces = 0;
  private labelledPieces = 0;
  private allLabelled = true;
  private readonly radiusCounts: number[] = [];

  constructor(private readonly radiusBinUm: number) {}

  /** Add the nodes and branches of whole connected parts of the graph. */
  addGraph(nodes: readonly SkeletonNode[], branches: readonly SkeletonBranch[]): void {
    for (const b of branches) {
      this.totalLength += b.length_um;
      this.radiusLength += b.mean_radius_um * b.length_um;
      if (b.on_border) this.border++;
    }
    const base = nodes.length > 0 ? nodes[0].id : 0;
    const parent = new Int32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) parent[i] = i;
    const find = (a: number): number => {
      while (parent[a] !== a) a = parent[a] = parent[parent[a]];
      return a;
    };
    for (const b of branches) parent[find(b.src - base)] = find(b.dst - base);
    for (let i = 0; i < parent.length; i++) if (find(i) === i) this.graphPieces++;
    const labels = new Set<number>();
    for (const n of nodes) {
      this.kinds[n.kind]++;
      this.degrees[n.degree] = (this.degrees[n.degree] ?? 0) + 1;
      if (n.component > 0) labels.add(n.component);
      else this.allLabelled = false;
    }
    this.labelledPieces += labels.size;
    this.branches += branches.length;
    this.nodes += nodes.length;
  }

  /** Add skeleton radii (µm) to the radius histogram. */
  addRadii(radii: ArrayLike<number>): void {
    const counts = this.radiusCounts;
    for (let i = 0; i < radii.length; i++) {
      const b = Math.floor(radii[i] / this.radiusBinUm);
      while (counts.length <= b) counts.push(0);
      counts[b]++;
    }
  }

  finish(inp: SummaryInputs): NetworkSummary {
    const { shape, voxelSize } = inp;
    const voxels = shape[0] * shape[1] * shape[2];
    const volumeUm3 = voxels * voxelSize[0] * voxelSize[1] * voxelSize[2];
    const total = this.totalLength;
    const labelled = this.nodes > 0 && this.allLabelled;
    const graphLoops = this.branches - this.nodes + this.graphPieces;
    return {
      total_length_um: total,
      n_branches: this.branches,
      n_junctions: this.kinds.junction,
      n_endpoints: this.kinds.endpoint,
      n_isolated_points: this.kinds.isolated,
      n_isolated_loops: this.kinds.loop,
      n_nodes: this.nodes,
      n_components: labelled ? this.labelledPieces : this.graphPieces,
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
      mean_radius_um: total > 0 ? this.radiusLength / total : 0,
      radius_histogram: { bin_width_um: this.radiusBinUm, counts: this.radiusCounts.slice() },
      degree_distribution: { ...this.degrees },
      n_border_branches: this.border,
      n_labelled_components: inp.labelledComponents,
      parameters: inp.parameters,
    };
  }
}

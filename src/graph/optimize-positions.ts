import type { Vec3 } from '../geometry/box.js';
import type { PairRecord } from '../formats/pairs.js';
import type { PositionsFile, TilePosition } from '../formats/positions.js';
import { OptimizationSettingsSchema, type OptimizationSettings } from '../campaign/sections/optimization.js';
import { DisplacementGraph, type DisplacementTile } from './displacement-graph.js';
import { pruneLinks } from './prune-links.js';
import { placeGroups } from './place-groups.js';
import { linkResiduals } from './link-residuals.js';

/** One kept link in positions.json. */
export interface LinkResidualRecord {
  a: string;
  b: string;
  /** ‖position(b) − position(a) − shift‖, voxels. */
  residual: number;
  /** residual / (1 − leverage): distance from what the other links say, voxels. */
  discrepancy: number;
  /** position(b) − position(a) − shift, (dz, dy, dx). */
  error: Vec3;
  correlation: number;
  weight: number;
  /** A bridge: no other link checks it (only the stage did). */
  unverified?: true;
}

/** One dropped link in positions.json. */
export interface DroppedLinkRecord {
  a: string;
  b: string;
  shift: Vec3;
  correlation: number;
  /** Residual and discrepancy (voxels) in the solve that dropped it (for an unverified bridge dropped against the stage: residual 0, discrepancy = its disagreement with the stage). */
  residual: number;
  discrepancy: number;
  round: number;
}

export interface GroupRecord {
  group: number;
  /** Number of tiles. */
  tiles: number;
  /** First tile (campaign order): positions are relative to it. */
  first: string;
  /** `reference`: its first tile keeps its nominal position; `stage`: placed by weak stage links. */
  placed_by: 'reference' | 'stage';
}

export interface OptimizeSummary {
  tiles: number;
  /** Accepted pairs (links measured). */
  links: number;
  /** Links kept after pruning. */
  kept: number;
  dropped: number;
  /** Rejected pairs (no measurement). */
  rejected: number;
  groups: number;
  /** Tiles with no kept link, placed from the stage. */
  loners: string[];
  /** Weak stage links used between groups. */
  weak_links: number;
  /** Kept links that are bridges (checked by no other link). */
  unverified_links: number;
  /** Over kept links, voxels. */
  mean_residual: number;
  max_residual: number;
  rounds: number;
  iterations: number;
  converged: boolean;
  seconds: number;
}

export interface OptimizedPositions extends PositionsFile {
  tiles: Record<string, TilePosition>;
  residuals: {
    mean: number;
    max: number;
    links: LinkResidualRecord[];
    dropped: DroppedLinkRecord[];
  };
  groups: GroupRecord[];
  summary: OptimizeSummary;
  settings: OptimizationSettings;
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const vec6 = (x: Float64Array, i: number): Vec3 => [round6(x[3 * i]), round6(x[3 * i + 1]), round6(x[3 * i + 2])];

/**
 * Global positions from measured pairs: the pure science of `stitchgraph optimize`.
 *
 * Builds the DisplacementGraph, solves the weighted least squares with link pruning
 * (prune-links.ts), places groups and loners by weak stage links (place-groups.ts), and returns
 * the content of positions.json. Positions of each group are relative to the first tile of the
 * main group, which keeps its nominal position; see docs/optimize.md for groups placed from the
 * stage. No I/O; deterministic for given inputs.
 *
 * @param tiles campaign tiles in campaign order (ids, nominal positions).
 * @param pairs records of pairs.json; `status: ok` records are measurements.
 * @param settings the `optimization:` section; missing keys take their defaults.
 */
export function optimizePositions(
  tiles: readonly DisplacementTile[],
  pairs: readonly PairRecord[],
  settings: Partial<OptimizationSettings> = {},
): OptimizedPositions {
  const t0 = performance.now();
  const s = OptimizationSettingsSchema.parse(settings);
  const graph = DisplacementGraph.fromPairs(tiles, pairs);
  const system = graph.toLinkSystem();
  const nominal = graph.nominalPositions();
  const pruned = pruneLinks(system, nominal, {
    maxError: s.max_error,
    maxRatio: s.max_ratio,
    residualFloor: s.residual_floor,
    maxRounds: s.max_rounds,
  });
  const placed = placeGroups({
    system: pruned.system,
    x: pruned.x,
    label: pruned.components.label,
    nominal,
    // Rejected and dropped pairs are stage neighbours all the same.
    nominalLinks: [
      ...graph.nominalLinks.map((l): [number, number] => [graph.indexOf.get(l.a)!, graph.indexOf.get(l.b)!]),
      ...pruned.dropped.map((d): [number, number] => [system.a[d.link], system.b[d.link]]),
    ],
    nominalWeight: s.nominal_weight,
    placement: s.group_placement,
  });
  const x = placed.x;
  const res = linkResiduals(pruned.system, x);

  const degree = new Int32Array(tiles.length);
  const links: LinkResidualRecord[] = [];
  let sum = 0, max = 0, unverified = 0;
  graph.links.forEach((l, e) => {
    if (!(pruned.system.weight[e] > 0)) return;
    degree[pruned.system.a[e]]++;
    degree[pruned.system.b[e]]++;
    const r = res.residual[e];
    sum += r;
    max = Math.max(max, r);
    links.push({
      a: l.a,
      b: l.b,
      residual: round6(r),
      discrepancy: round6(res.discrepancy[e]),
      error: [round6(res.error[3 * e]), round6(res.error[3 * e + 1]), round6(res.error[3 * e + 2])],
      correlation: l.correlation,
      weight: l.weight,
      ...(pruned.bridges[e] ? { unverified: true as const } : {}),
    });
    if (pruned.bridges[e]) unverified++;
  });
  const dropped: DroppedLinkRecord[] = pruned.dropped.map((d) => {
    const l = graph.links[d.link];
    return { a: l.a, b: l.b, shift: l.shift, correlation: l.correlation, residual: round6(d.residual), discrepancy: round6(d.discrepancy), round: d.round };
  });
  const out: Record<string, TilePosition> = {};
  const loners: string[] = [];
  tiles.forEach((t, i) => {
    const lone = degree[i] === 0;
    if (lone) loners.push(t.id);
    out[t.id] = { position: vec6(x, i), group: placed.group[i], ...(lone ? { nominal_only: true } : {}) };
  });
  const groups: GroupRecord[] = placed.groups.map((g, k) => ({ group: k, tiles: g.tiles.length, first: tiles[g.tiles[0]].id, placed_by: g.placedBy }));
  const mean = links.length ? sum / links.length : 0;
  return {
    tiles: out,
    residuals: { mean: round6(mean), max: round6(max), links, dropped },
    groups,
    summary: {
      tiles: tiles.length,
      links: graph.links.length,
      kept: links.length,
      dropped: dropped.length,
      rejected: graph.nominalLinks.length,
      groups: groups.length,
      loners,
      weak_links: placed.weakLinks,
      unverified_links: unverified,
      mean_residual: round6(mean),
      max_residual: round6(max),
      rounds: pruned.rounds,
      iterations: pruned.iterations + placed.iterations,
      converged: pruned.converged && placed.converged,
      seconds: Math.round(performance.now() - t0) / 1000,
    },
    settings: s,
  };
}

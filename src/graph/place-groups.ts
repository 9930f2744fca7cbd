import { solvePositions, type LinkSystem } from './solve-positions.js';
import { linkComponents } from './link-components.js';

/**
 * Place the connected groups (and loners) of a solved displacement graph in one global frame,
 * by weak links from the stage positions.
 *
 * The measured links fix each group's shape but not where the groups sit relative to each other.
 * For every stage neighbour pair (i, j) in different groups (a rejected pair), a weak link says
 * x_j − x_i ≈ nominal_j − nominal_i, with weight `nominalWeight`. Two steps:
 *  1. Rigid offsets: each group moves as a block; the offsets minimise the weak links' squared
 *     disagreement (a small least-squares problem on the graph of groups, the same CG solver).
 *     This is the nominalWeight → 0 limit and a warm start for step 2.
 *  2. Joint solve of measured + weak links together, so that the weight means what it says:
 *     with the default 1e-3 the stage moves a linked group's shape by ~1e-3 of its disagreement.
 * The largest group of each set of groups that weak links tie together keeps its first tile at
 * its nominal position (the positions.json contract); a set with no weak link to the others
 * (a tile overlapping nothing) keeps its own largest group's first tile at nominal.
 */

export type GroupPlacement = 'stage' | 'first_tile';

export interface PlaceGroupsInput {
  /** Measured links after pruning (weight 0: dropped). */
  system: LinkSystem;
  /** Positions from the measured links, each group's first tile at its nominal position. */
  x: Float64Array;
  /** Group label per tile from the measured links (smallest tile index in the group). */
  label: Int32Array;
  /** Nominal positions, interleaved, length 3n. */
  nominal: Float64Array;
  /** Stage neighbour pairs (tile indices) that carry no measurement. */
  nominalLinks: [number, number][];
  nominalWeight: number;
  placement: GroupPlacement;
  tolerance?: number;
}

export interface GroupInfo {
  /** Tile indices in campaign order. */
  tiles: number[];
  /** `reference`: its first tile keeps its nominal position; `stage`: placed by weak stage links. */
  placedBy: 'reference' | 'stage';
}

export interface PlaceGroupsResult {
  x: Float64Array;
  /** Group number per tile: 0 is the largest group; ties go to the group whose first tile comes first. */
  group: Int32Array;
  groups: GroupInfo[];
  /** Weak links actually used (between different groups). */
  weakLinks: number;
  iterations: number;
  converged: boolean;
}

export function placeGroups(input: PlaceGroupsInput): PlaceGroupsResult {
  const { system, label, nominal, nominalLinks, nominalWeight, placement, tolerance } = input;
  const n = system.n;
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(label[i]);
    if (list) list.push(i);
    else members.set(label[i], [i]);
  }
  const ordered = [...members.values()].sort((p, q) => q.length - p.length || p[0] - q[0]);
  const group = new Int32Array(n);
  ordered.forEach((tiles, g) => tiles.forEach((i) => (group[i] = g)));
  const G = ordered.length;
  const weak = nominalLinks.filter(([i, j]) => group[i] !== group[j]);
  const groups: GroupInfo[] = ordered.map((tiles) => ({ tiles, placedBy: 'reference' }));
  let x: Float64Array = Float64Array.from(input.x);
  if (placement === 'first_tile' || weak.length === 0 || !(nominalWeight > 0)) {
    return { x, group, groups, weakLinks: 0, iterations: 0, converged: true };
  }

  // Step 1: rigid offsets of the groups.
  const qa = new Int32Array(weak.length);
  const qb = new Int32Array(weak.length);
  const qs = new Float64Array(3 * weak.length);
  const qw = new Float64Array(weak.length).fill(1);
  weak.forEach(([i, j], e) => {
    qa[e] = group[i];
    qb[e] = group[j];
    for (let k = 0; k < 3; k++) qs[3 * e + k] = nominal[3 * j + k] - nominal[3 * i + k] - (x[3 * j + k] - x[3 * i + k]);
  });
  const quotient = linkComponents(G, qa, qb);
  const qFixed = new Uint8Array(G);
  for (let g = 0; g < G; g++) {
    if (quotient.label[g] === g) qFixed[g] = 1;
    else groups[g].placedBy = 'stage';
  }
  const offsets = solvePositions({ n: G, a: qa, b: qb, shift: qs, weight: qw }, qFixed, new Float64Array(3 * G), { tolerance });
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) x[3 * i + k] += offsets.x[3 * group[i] + k];

  // Step 2: measured and weak links together.
  const m = system.a.length;
  const joint: LinkSystem = {
    n,
    a: new Int32Array(m + weak.length),
    b: new Int32Array(m + weak.length),
    shift: new Float64Array(3 * (m + weak.length)),
    weight: new Float64Array(m + weak.length),
  };
  joint.a.set(system.a);
  joint.b.set(system.b);
  joint.shift.set(system.shift);
  joint.weight.set(system.weight);
  weak.forEach(([i, j], e) => {
    joint.a[m + e] = i;
    joint.b[m + e] = j;
    for (let k = 0; k < 3; k++) joint.shift[3 * (m + e) + k] = nominal[3 * j + k] - nominal[3 * i + k];
    joint.weight[m + e] = nominalWeight;
  });
  const fixed = new Uint8Array(n);
  for (let g = 0; g < G; g++) if (qFixed[g]) fixed[ordered[g][0]] = 1;
  const polished = solvePositions(joint, fixed, x, { tolerance });
  x = polished.x;
  return { x, group, groups, weakLinks: weak.length, iterations: offsets.iterations + polished.iterations, converged: offsets.converged && polished.converged };
}

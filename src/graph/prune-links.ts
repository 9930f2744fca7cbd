import { solvePositions, SolveWorkspace, type LinkSystem, type SolvePositionsOptions } from './solve-positions.js';
import { AggregationPreconditioner } from './aggregation-preconditioner.js';
import { linkResiduals } from './link-residuals.js';
import { findBridges } from './find-bridges.js';
import { linkComponents, type LinkComponents } from './link-components.js';

/**
 * Global solve with iterative removal of inconsistent links, after the global optimisation of
 * Preibisch, Saalfeld & Tomancak (2009), "Globally optimal stitching of tiled 3D microscopic
 * image acquisitions", Bioinformatics 25(11):1463–1465, doi:10.1093/bioinformatics/btp184
 * (Fiji's Stitching plugin: drop the worst link while its error exceeds an absolute threshold and
 * a multiple of the mean error, then optimise again).
 *
 * Differences, and why:
 * - The error compared with the thresholds is each link's *discrepancy* (deleted residual, see
 *   link-residuals.ts), so `max_error` means "voxels away from what the other links say" whatever
 *   the local connectivity.
 * - The worst link is ranked by discrepancy / weight: of two links that disagree equally, the
 *   worse-correlated one goes first.
 * - A round drops every candidate that is the worst among the candidates sharing a tile with it
 *   (a local maximum). Wrong links far apart are independent, so this equals dropping them one at
 *   a time, but takes a few rounds instead of one per bad link. Each round re-solves from the
 *   previous positions (warm start), so a round costs a fraction of the first solve.
 * - Bridges (links whose removal would cut a tile or a group off) are never dropped; if a round's
 *   batch would split a group nonetheless (two links that are a cut together), only its single
 *   worst link goes.
 * - A bridge has no residual (nothing checks it): a tile whose every link was wrong ends up hanging
 *   by its last wrong link. After pruning, a bridge whose shift disagrees with the stage by more
 *   than `max_error` plus 1.5 × the largest stage disagreement of any checked link (given at least
 *   20 checked links) is dropped as well
 *   (no other link can go instead); its tile is then placed from the stage. Smaller errors on
 *   bridges cannot be told apart from stage error: such links are reported as unverified.
 */

/** Checked links needed before the stage's range is trusted to judge bridges. */
const MIN_CHECKED_LINKS = 20;
/** A bridge goes only beyond this multiple of the largest stage disagreement of a checked link (plus max_error). */
const STAGE_MARGIN = 1.5;

export interface PruneLinksOptions {
  /** Voxels. A link is dropped only while its discrepancy exceeds this ... */
  maxError: number;
  /** ... and this many times the mean discrepancy ... */
  maxRatio: number;
  /** ... and this floor (voxels). */
  residualFloor: number;
  /** Safety stop. @default 1000 */
  maxRounds?: number;
  /** CG relative tolerance of the final solve. @default 1e-10 */
  tolerance?: number;
  /**
   * CG relative tolerance while pruning. Residuals of links are differences of neighbouring
   * positions, which CG resolves first; only the final solve needs full accuracy (1e-4 gave the same drops
   * as 1e-6 on a 50,000-tile bench with 5 % wrong links). @default 1e-5
   */
  pruneTolerance?: number;
}

export interface DroppedLink {
  /** Link index in the LinkSystem. */
  link: number;
  /** Its residual (voxels) in the solve that condemned it. */
  residual: number;
  discrepancy: number;
  /** Pruning round (1-based). */
  round: number;
}

export interface PruneLinksResult {
  /** Positions (z, y, x) interleaved, length 3n: each component's first tile at its nominal position. */
  x: Float64Array;
  /** The link system with dropped links at weight 0 (a copy; the input is not modified). */
  system: LinkSystem;
  dropped: DroppedLink[];
  /** Rounds that dropped links. */
  rounds: number;
  /** CG iterations summed over all solves. */
  iterations: number;
  converged: boolean;
  /** Components under the kept links (the same as before pruning, unless unverified bridges were dropped). */
  components: LinkComponents;
  /** Kept links that are bridges: nothing but the stage checks them. */
  bridges: Uint8Array;
}

/** Place every tile by walking a spanning tree from its component's first tile: a cheap start near the solution. */
function spanningStart(sys: LinkSystem, nominal: Float64Array, label: Int32Array): Float64Array {
  const { n, a, b, shift, weight } = sys;
  const deg = new Int32Array(n + 1);
  for (let e = 0; e < a.length; e++) {
    if (!(weight[e] > 0)) continue;
    deg[a[e] + 1]++;
    deg[b[e] + 1]++;
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const fill = deg.slice(0, n);
  const adj = new Int32Array(deg[n]);
  for (let e = 0; e < a.length; e++) {
    if (!(weight[e] > 0)) continue;
    adj[fill[a[e]]++] = e;
    adj[fill[b[e]]++] = e;
  }
  const x = Float64Array.from(nominal);
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (label[root] !== root) continue;
    let head = 0, tail = 0;
    queue[tail++] = root;
    seen[root] = 1;
    while (head < tail) {
      const u = queue[head++];
      for (let k = deg[u]; k < deg[u + 1]; k++) {
        const e = adj[k];
        const forward = a[e] === u;
        const v = forward ? b[e] : a[e];
        if (seen[v]) continue;
        seen[v] = 1;
        const sign = forward ? 1 : -1;
        for (let c = 0; c < 3; c++) x[3 * v + c] = x[3 * u + c] + sign * shift[3 * e + c];
        queue[tail++] = v;
      }
    }
  }
  return x;
}

export function pruneLinks(input: LinkSystem, nominal: Float64Array, options: PruneLinksOptions): PruneLinksResult {
  const { maxError, maxRatio, residualFloor, maxRounds = 1000, tolerance = 1e-10 } = options;
  const loose = Math.max(tolerance, options.pruneTolerance ?? 1e-5);
  const sys: LinkSystem = { ...input, weight: Float64Array.from(input.weight) };
  const { n, a, b, weight } = sys;
  const m = a.length;
  const components = linkComponents(n, a, b, weight);
  const fixed = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (components.label[i] === i) fixed[i] = 1;

  // One workspace and one preconditioner for all rounds: dropping a few percent of the links
  // leaves the first round's multilevel hierarchy a good (still symmetric positive definite)
  // preconditioner, and rebuilding it every round cost more than it saved.
  const workspace = new SolveWorkspace();
  let nFree = 0;
  for (let i = 0; i < n; i++) if (!fixed[i]) nFree++;
  const shared = (): SolvePositionsOptions['preconditioner'] =>
    nFree > 2000 ? new AggregationPreconditioner(n, a, b, weight, fixed) : 'jacobi';
  let preconditioner = shared();
  let solved = solvePositions(sys, fixed, spanningStart(sys, nominal, components.label), { tolerance: loose, workspace, preconditioner });
  let x: Float64Array = solved.x;
  let iterations = solved.iterations;
  let converged = solved.converged;
  const dropped: DroppedLink[] = [];
  let rounds = 0;
  const best = new Int32Array(n);
  while (rounds < maxRounds) {
    const { residual, discrepancy } = linkResiduals(sys, x);
    let sum = 0, active = 0;
    for (let e = 0; e < m; e++) {
      if (weight[e] > 0) {
        sum += discrepancy[e];
        active++;
      }
    }
    if (active === 0) break;
    const threshold = Math.max(maxError, maxRatio * (sum / active), residualFloor);
    const candidates: number[] = [];
    for (let e = 0; e < m; e++) if (weight[e] > 0 && discrepancy[e] > threshold) candidates.push(e);
    if (candidates.length === 0) break;
    const bridges = findBridges(n, a, b, weight);
    const score = (e: number) => discrepancy[e] / weight[e];
    const droppable = candidates.filter((e) => !bridges[e]);
    if (droppable.length === 0) break;
    // Local maxima: the best candidate at each tile; a link goes when it is the best at both ends.
    best.fill(-1);
    const better = (e: number, f: number) => f < 0 || score(e) > score(f) || (score(e) === score(f) && e < f);
    for (const e of droppable) {
      if (better(e, best[a[e]])) best[a[e]] = e;
      if (better(e, best[b[e]])) best[b[e]] = e;
    }
    let batch = droppable.filter((e) => best[a[e]] === e && best[b[e]] === e);
    const saved = batch.map((e) => weight[e]);
    for (const e of batch) weight[e] = 0;
    if (batch.length > 1 && linkComponents(n, a, b, weight).count !== components.count) {
      batch.forEach((e, i) => (weight[e] = saved[i]));
      const worst = droppable.reduce((f, e) => (better(e, f) ? e : f), -1);
      batch = [worst];
      weight[worst] = 0;
    }
    rounds++;
    for (const e of batch) dropped.push({ link: e, residual: residual[e], discrepancy: discrepancy[e], round: rounds });
    solved = solvePositions(sys, fixed, x, { tolerance: loose, workspace, preconditioner });
    x = solved.x;
    iterations += solved.iterations;
    converged &&= solved.converged;
  }

  // Bridges against the stage.
  let bridges = findBridges(n, a, b, weight);
  const stageOff = (e: number): number => {
    let s2 = 0;
    for (let k = 0; k < 3; k++) s2 += (sys.shift[3 * e + k] - (nominal[3 * b[e] + k] - nominal[3 * a[e] + k])) ** 2;
    return Math.sqrt(s2);
  };
  // The stage's range is estimated from the checked links: only with enough of them, and with margin.
  let checkedMax = 0, checked = 0;
  for (let e = 0; e < m; e++) {
    if (weight[e] > 0 && !bridges[e]) {
      checkedMax = Math.max(checkedMax, stageOff(e));
      checked++;
    }
  }
  let finalComponents = components;
  if (maxRounds > 0 && checked >= MIN_CHECKED_LINKS) {
    const limit = STAGE_MARGIN * checkedMax + maxError;
    const off: number[] = [];
    for (let e = 0; e < m; e++) if (weight[e] > 0 && bridges[e] && stageOff(e) > limit) off.push(e);
    if (off.length > 0) {
      rounds++;
      for (const e of off) {
        weight[e] = 0;
        dropped.push({ link: e, residual: 0, discrepancy: stageOff(e), round: rounds });
      }
      finalComponents = linkComponents(n, a, b, weight);
      fixed.fill(0);
      for (let i = 0; i < n; i++) if (finalComponents.label[i] === i) fixed[i] = 1;
      // Keep the solution; move each (new) component rigidly so that its first tile is at nominal.
      const lab = finalComponents.label;
      const moved = Float64Array.from(x);
      for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) moved[3 * i + k] += nominal[3 * lab[i] + k] - x[3 * lab[i] + k];
      x = moved;
      preconditioner = shared();
      bridges = findBridges(n, a, b, weight);
    }
  }
  // The final solve at full accuracy, from the pruning's last positions.
  solved = solvePositions(sys, fixed, x, { tolerance, workspace, preconditioner });
  x = solved.x;
  iterations += solved.iterations;
  converged &&= solved.converged;
  return { x, system: sys, dropped, rounds, iterations, converged, components: finalComponents, bridges };
}

/**
 * Checks that catch a wrong layout after registration (a shuffled file order, a mislabelled tile):
 *
 * 1. **Deviations from the nominal layout.** Every accepted pair measures shift − nominal shift.
 *    On a right layout these share one small spread (the stage error); a pair far outside that
 *    spread (robust: median ± MAD) matched something other than its true overlap, as the wrong
 *    neighbours of a shuffled row do on a periodic background.
 * 2. **Correlation.** Where the stage spacing is a multiple of a periodic background (grid paper),
 *    wrong neighbours match the pattern at the nominal shift itself; they then stand out by a
 *    correlation far below the campaign's other pairs.
 * 3. **Loops.** Around any loop of accepted pairs the shifts must add up to zero; a loop that does
 *    not close holds at least one wrong pair. Loops are the fundamental cycles of a breadth-first
 *    spanning tree of the pair graph.
 *
 * Pure: it only reads the pairs and says what it found.
 */
import type { PairRecord } from '../formats/pairs.js';
import type { Vec3 } from '../geometry/box.js';

export interface LayoutConsistency {
  /** Accepted pairs whose deviation from the nominal layout is an outlier. */
  outliers: { a: string; b: string; deviation: Vec3; distance: number }[];
  /** Accepted pairs whose correlation is far below the others'. */
  weak: { a: string; b: string; correlation: number }[];
  /** Loops of accepted pairs that do not close: their tiles in order and the misclosure (voxels). */
  openLoops: { tiles: string[]; misclosure: number }[];
  /** Typical deviation of the accepted pairs from nominal (median vector) and its robust spread (voxels). */
  typical: Vec3;
  spread: number;
  /** Sentences for the log, the summary and the report (empty when all is consistent). */
  warnings: string[];
}

/** A deviation counts as an outlier beyond this many robust standard deviations ... */
export const OUTLIER_SIGMAS = 5;
/** ... and beyond this many voxels (a perfectly repeatable stage must not flag sub-voxel noise). */
export const OUTLIER_MIN_VOX = 4;
/** Fewer accepted pairs than this give no reliable spread: only loops are checked. */
export const MIN_PAIRS_FOR_SPREAD = 4;
/** A pair is weak when its correlation is below the median by this many robust σ and below WEAK_FRACTION of it. */
export const WEAK_SIGMAS = 5;
export const WEAK_FRACTION = 0.75;
/** A loop closes when its misclosure is below this plus LOOP_TOLERANCE_PER_PAIR per pair in it. */
export const LOOP_TOLERANCE_VOX = 2;
export const LOOP_TOLERANCE_PER_PAIR = 0.5;

const median = (v: number[]): number => {
  const s = [...v].sort((p, q) => p - q);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v: number) => Number(v.toFixed(1));

function deviationOutliers(ok: PairRecord[]): Pick<LayoutConsistency, 'outliers' | 'typical' | 'spread'> {
  const dev = ok.map((p) => [0, 1, 2].map((ax) => p.shift[ax] - (p.nominal_shift ?? p.shift)[ax]) as Vec3);
  const typical = [0, 1, 2].map((ax) => median(dev.map((d) => d[ax]))) as Vec3;
  const dist = dev.map((d) => Math.hypot(d[0] - typical[0], d[1] - typical[1], d[2] - typical[2]));
  const spread = 1.4826 * median(dist);
  if (ok.length < MIN_PAIRS_FOR_SPREAD) return { outliers: [], typical, spread };
  const limit = Math.max(OUTLIER_SIGMAS * spread, OUTLIER_MIN_VOX);
  const outliers = ok.flatMap((p, k) => (dist[k] > limit ? [{ a: p.a, b: p.b, deviation: dev[k].map(fmt) as Vec3, distance: fmt(dist[k]) }] : []));
  return { outliers, typical, spread };
}

/**
 * Face neighbours: the nominal shift runs along one axis (the others under a quarter of it). Only
 * they are compared by correlation: edge and corner pairs share thin overlaps that correlate less
 * by nature.
 */
function isFacePair(p: PairRecord): boolean {
  const s = (p.nominal_shift ?? p.shift).map(Math.abs);
  const main = Math.max(...s);
  return main > 0 && s.filter((v) => v > 0.25 * main).length === 1;
}

function weakPairs(all: PairRecord[]): LayoutConsistency['weak'] {
  const ok = all.filter(isFacePair);
  if (ok.length < MIN_PAIRS_FOR_SPREAD) return [];
  const r = ok.map((p) => p.correlation);
  const m = median(r), s = 1.4826 * median(r.map((v) => Math.abs(v - m)));
  return ok.filter((p) => p.correlation < m - WEAK_SIGMAS * s && p.correlation < WEAK_FRACTION * m).map((p) => ({ a: p.a, b: p.b, correlation: p.correlation }));
}

function openLoops(ok: PairRecord[]): LayoutConsistency['openLoops'] {
  const adj = new Map<string, { to: string; shift: Vec3; k: number }[]>();
  ok.forEach((p, k) => {
    const minus = p.shift.map((v) => -v) as Vec3;
    (adj.get(p.a) ?? adj.set(p.a, []).get(p.a)!).push({ to: p.b, shift: p.shift, k });
    (adj.get(p.b) ?? adj.set(p.b, []).get(p.b)!).push({ to: p.a, shift: minus, k });
  });
  const pos = new Map<string, Vec3>(), parent = new Map<string, string | undefined>(), depth = new Map<string, number>(), treeEdge = new Set<number>();
  for (const root of adj.keys()) {
    if (pos.has(root)) continue;
    pos.set(root, [0, 0, 0]);
    parent.set(root, undefined);
    depth.set(root, 0);
    const queue = [root];
    while (queue.length) {
      const u = queue.shift()!;
      for (const e of adj.get(u)!) {
        if (pos.has(e.to)) continue;
        const pu = pos.get(u)!;
        pos.set(e.to, [pu[0] + e.shift[0], pu[1] + e.shift[1], pu[2] + e.shift[2]]);
        parent.set(e.to, u);
        depth.set(e.to, depth.get(u)! + 1);
        treeEdge.add(e.k);
        queue.push(e.to);
      }
    }
  }
  const loops: LayoutConsistency['openLoops'] = [];
  ok.forEach((p, k) => {
    if (treeEdge.has(k)) return;
    const pa = pos.get(p.a)!, pb = pos.get(p.b)!;
    const mis = Math.hypot(pb[0] - pa[0] - p.shift[0], pb[1] - pa[1] - p.shift[1], pb[2] - pa[2] - p.shift[2]);
    const tiles = treePath(p.a, p.b, parent, depth);
    if (mis > LOOP_TOLERANCE_VOX + LOOP_TOLERANCE_PER_PAIR * tiles.length) loops.push({ tiles, misclosure: fmt(mis) });
  });
  return loops;
}

/** Tiles on the spanning-tree path from a to b (both included). */
function treePath(a: string, b: string, parent: Map<string, string | undefined>, depth: Map<string, number>): string[] {
  const left = [a], right = [b];
  let u = a, v = b;
  while (u !== v) {
    if (depth.get(u)! >= depth.get(v)!) left.push((u = parent.get(u)!));
    else right.push((v = parent.get(v)!));
  }
  right.pop();
  return [...left, ...right.reverse()];
}

export function layoutConsistency(pairs: readonly PairRecord[]): LayoutConsistency {
  const ok = pairs.filter((p) => p.status === 'ok' && Array.isArray(p.nominal_shift));
  const { outliers, typical, spread } = deviationOutliers(ok);
  const loops = openLoops(ok);
  const weak = weakPairs(ok);
  const warnings: string[] = [];
  if (outliers.length) {
    const tiles = [...new Set(outliers.flatMap((o) => [o.a, o.b]))];
    warnings.push(
      `layout: ${outliers.length} accepted pair(s) disagree with the nominal layout far more than the others (typical deviation [${typical.map(fmt).join(', ')}] ± ${fmt(spread)} voxels): ` +
        `${outliers.map((o) => `${o.a}–${o.b} by [${o.deviation.join(', ')}]`).join(', ')}. Tiles ${tiles.join(', ')}: check the tile order (import --order) and their stage positions`,
    );
  }
  if (weak.length) {
    const tiles = [...new Set(weak.flatMap((o) => [o.a, o.b]))];
    const typical = median(ok.filter(isFacePair).map((p) => p.correlation));
    warnings.push(
      `layout: ${weak.length} accepted pair(s) correlate far less than the other face neighbours (typical r ${typical.toFixed(2)}): ${weak.map((w) => `${w.a}–${w.b} r ${w.correlation.toFixed(2)}`).join(', ')}. ` +
        `Tiles ${tiles.join(', ')}: if they are not where the layout says (tile order, stage positions), these pairs matched a background pattern; check them in a view (import --order)`,
    );
  }
  for (const l of loops) warnings.push(`layout: the loop of pairs ${[...l.tiles, l.tiles[0]].join(' → ')} does not close (off by ${l.misclosure} voxels): one of its pairs matched the wrong place`);
  return { outliers, weak, openLoops: loops, typical, spread, warnings };
}

/**
 * Which overlapping pairs a campaign registers. In a grid, every tile also overlaps its edge and
 * corner neighbours, but only in thin slivers: in a 3-D grid they are 56 of 89 pairs of 18 tiles,
 * each a whole job, while their links add little to the global solve that the face pairs do not
 * already fix (BigStitcher, too, registers only pairs above an overlap size). A pair is kept when
 * its nominal overlap volume is at least `minShare` of the largest overlap of either of its tiles;
 * a dropped pair comes back when the kept ones would leave its two tiles unconnected.
 */
import type { OverlapPair } from './find-overlaps.js';

const volume = (p: OverlapPair): number => p.overlap[0] * p.overlap[1] * p.overlap[2];

function components(): { find(id: string): string; join(a: string, b: string): boolean } {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let r = id;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  return {
    find,
    join(a, b) {
      const ra = find(a), rb = find(b);
      if (ra === rb) return false;
      parent.set(ra, rb);
      return true;
    },
  };
}

/** The pairs to register, in the given (campaign) order; `minShare` 0 keeps every pair. */
export function selectPairs(pairs: readonly OverlapPair[], minShare: number): OverlapPair[] {
  if (minShare <= 0) return [...pairs];
  const largest = new Map<string, number>();
  for (const p of pairs) for (const id of [p.a, p.b]) largest.set(id, Math.max(largest.get(id) ?? 0, volume(p)));
  const keep = new Set(pairs.filter((p) => volume(p) >= minShare * Math.min(largest.get(p.a)!, largest.get(p.b)!)));
  const graph = components();
  for (const p of keep) graph.join(p.a, p.b);
  // Largest dropped overlaps first: the fewest, strongest links that restore connectivity.
  const dropped = pairs.filter((p) => !keep.has(p)).sort((x, y) => volume(y) - volume(x));
  for (const p of dropped) if (graph.join(p.a, p.b)) keep.add(p);
  return pairs.filter((p) => keep.has(p));
}

/**
 * Where the permutation test samples "no real match": for each chosen pair, a's overlap box against
 * a region of b's tile that does not hold a's content (nullSampleBox: the far side of b). Where b is
 * too small for that (thin tiles, large overlaps), against the same box of a tile that does not
 * overlap a at all, which exists in any row of three or more tiles.
 */
import { intersectBoxes, type Box3 } from '../geometry/box.js';
import type { OverlapPair, OverlapTile } from './find-overlaps.js';
import { nullSampleBox } from './null-sample-box.js';

export interface NullSamplePair {
  pair: OverlapPair;
  /** The tile the sample box is read from (b itself, or a tile far from a). */
  b: string;
  boxB: Box3;
}

function farTile(tiles: readonly OverlapTile[], p: OverlapPair): OverlapTile | undefined {
  const ia = tiles.findIndex((t) => t.id === p.a), ib = tiles.findIndex((t) => t.id === p.b);
  const A = tiles[ia], B = tiles[ib];
  const n = tiles.length;
  // Start half the campaign away from b, deterministically, so samples spread over the tiles.
  for (let k = 0; k < n; k++) {
    const c = tiles[(ib + Math.floor(n / 2) + k) % n];
    if (c.id === p.a || c.id === p.b || c.shape.some((s, ax) => s !== B.shape[ax])) continue;
    if (!intersectBoxes({ start: A.nominal, size: A.shape }, { start: c.nominal, size: c.shape })) return c;
  }
  return undefined;
}

/** Up to `k` null samples spread evenly over the pairs (deterministic). */
export function nullSamplePairs(tiles: readonly OverlapTile[], overlaps: readonly OverlapPair[], k: number): NullSamplePair[] {
  const out: NullSamplePair[] = [];
  const n = Math.min(k, overlaps.length);
  const byId = new Map(tiles.map((t) => [t.id, t]));
  for (let i = 0; i < n; i++) {
    const p = overlaps[Math.floor((i * overlaps.length) / n)];
    const box = nullSampleBox(p.boxB, byId.get(p.b)!.shape);
    if (box) out.push({ pair: p, b: p.b, boxB: box });
    else {
      const c = farTile(tiles, p);
      if (c) out.push({ pair: p, b: c.id, boxB: p.boxB });
    }
  }
  return out;
}

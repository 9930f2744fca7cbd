/**
 * The second look of registration: pairs whose best match lies just past their search margin are
 * searched again with a wider margin (to a bound), so a strong, correct peak at the border is not
 * thrown away. The wider boxes come from the same overlap finder, so they are read the same way.
 */
import type { PairRecord } from '../formats/pairs.js';
import type { RegistrationSettings } from '../campaign/sections/registration.js';
import { findOverlaps, pairMargin, type OverlapPair, type OverlapTile } from './find-overlaps.js';

export const BEYOND_MARGIN = 'shift beyond the search margin';

/** Whether a first-pass record is worth a wider search: rejected because its match lies past the margin. */
export function wantsWiderSearch(r: PairRecord | undefined): boolean {
  return !!r && r.status === 'rejected' && r.reason === BEYOND_MARGIN && typeof r.key === 'string';
}

/**
 * The overlaps of the given pairs with their margin widened by `search_margin_widen`, capped at
 * `search_margin_max_fraction` of the tile (never narrower than the first margin). Pairs whose
 * margin cannot grow are left out.
 */
export function widenedOverlaps(tiles: readonly OverlapTile[], s: RegistrationSettings, pairs: readonly OverlapPair[]): OverlapPair[] {
  if (s.search_margin_widen <= 1 || pairs.length === 0) return [];
  const byId = new Map(tiles.map((t) => [t.id, t]));
  const out: OverlapPair[] = [];
  for (const p of pairs) {
    const A = byId.get(p.a)!, B = byId.get(p.b)!;
    const first = pairMargin(A.shape, B.shape, s);
    const wide = first.map((m, ax) => {
      const ext = Math.max(A.shape[ax], B.shape[ax]);
      if (ext <= 1) return 0;
      return Math.max(m, Math.min(Math.ceil(m * s.search_margin_widen), Math.floor(s.search_margin_max_fraction * ext)));
    }) as [number, number, number];
    if (wide.every((m, ax) => m === first[ax])) continue;
    const [q] = findOverlaps([A, B], { ...s, search_margin: wide });
    if (q) out.push(q);
  }
  return out;
}

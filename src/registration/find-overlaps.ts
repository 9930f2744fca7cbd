/**
 * The overlap finder: every pair of tiles whose nominal boxes overlap by at least `min_overlap`
 * per axis, with the overlap box in each tile's own coordinates grown by the search margin (the
 * largest stage error expected) and clipped to the tile. Registration reads only these boxes.
 */
import { intersectBoxes, type Box3, type Vec3 } from '../geometry/box.js';
import type { RegistrationSettings } from '../campaign/sections/registration.js';

export interface OverlapTile {
  id: string;
  nominal: Vec3;
  shape: Vec3;
}

export interface OverlapPair {
  a: string;
  b: string;
  /** Nominal position(b) − position(a). */
  nominalShift: Vec3;
  /** Nominal overlap extent (z, y, x). */
  overlap: Vec3;
  /** Region read from tile a / tile b, in that tile's own voxel coordinates. */
  boxA: Box3;
  boxB: Box3;
  /** Search margin per axis, voxels. */
  margin: Vec3;
  /** Minimum overlap per axis at the measured shift, voxels. */
  minOverlap: Vec3;
}

export type FindOverlapsSettings = Pick<RegistrationSettings, 'min_overlap' | 'min_overlap_measured' | 'search_margin' | 'search_margin_fraction' | 'search_margin_min'>;

/** Search margin of a pair: explicit, else a fraction of the larger extent but at least the minimum; 0 on flat axes. */
export function pairMargin(shapeA: Vec3, shapeB: Vec3, s: FindOverlapsSettings): Vec3 {
  return [0, 1, 2].map((ax) => {
    const ext = Math.max(shapeA[ax], shapeB[ax]);
    if (ext <= 1) return 0;
    if (s.search_margin) return s.search_margin[ax];
    return Math.max(s.search_margin_min, Math.ceil(s.search_margin_fraction * ext));
  }) as Vec3;
}

function growClip(box: Box3, by: Vec3, shape: Vec3): Box3 {
  const start: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  for (let ax = 0; ax < 3; ax++) {
    const s = Math.max(0, box.start[ax] - by[ax]);
    const e = Math.min(shape[ax], box.start[ax] + box.size[ax] + by[ax]);
    start[ax] = s;
    size[ax] = e - s;
  }
  return { start, size };
}

/** Pairs in campaign order (a before b). */
export function findOverlaps(tiles: readonly OverlapTile[], settings: FindOverlapsSettings): OverlapPair[] {
  const out: OverlapPair[] = [];
  for (let i = 0; i < tiles.length; i++)
    for (let j = i + 1; j < tiles.length; j++) {
      const A = tiles[i], B = tiles[j];
      // Stage positions may be fractional; the boxes read are whole voxels.
      const na = A.nominal.map(Math.round) as Vec3, nb = B.nominal.map(Math.round) as Vec3;
      const ov = intersectBoxes({ start: na, size: A.shape }, { start: nb, size: B.shape });
      if (!ov) continue;
      const minOverlap = [0, 1, 2].map((ax) => {
        const smaller = Math.min(A.shape[ax], B.shape[ax]);
        const m = settings.min_overlap >= 1 ? settings.min_overlap : Math.ceil(settings.min_overlap * smaller);
        return Math.max(1, Math.min(m, smaller));
      }) as Vec3;
      if (ov.size.some((s, ax) => s < minOverlap[ax])) continue;
      const margin = pairMargin(A.shape, B.shape, settings);
      const inA: Box3 = { start: [0, 1, 2].map((ax) => ov.start[ax] - na[ax]) as Vec3, size: [...ov.size] };
      const inB: Box3 = { start: [0, 1, 2].map((ax) => ov.start[ax] - nb[ax]) as Vec3, size: [...ov.size] };
      out.push({
        a: A.id,
        b: B.id,
        nominalShift: [0, 1, 2].map((ax) => B.nominal[ax] - A.nominal[ax]) as Vec3,
        overlap: [...ov.size],
        boxA: growClip(inA, margin, A.shape),
        boxB: growClip(inB, margin, B.shape),
        margin,
        minOverlap: minOverlap.map((m, ax) => Math.max(m, Math.min(settings.min_overlap_measured, A.shape[ax], B.shape[ax]))) as Vec3,
      });
    }
  return out;
}

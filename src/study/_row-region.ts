import type { Vec3 } from '../geometry/box.js';
import type { QueryValue } from './query-study.js';

/** Where a result row's object lies, in voxels of the analysed volume's frame. */
export interface RowRegion {
  center: Vec3;
  /** Bounding box [lo, hi] (equal to the centre for a point). */
  lo: Vec3;
  hi: Vec3;
}

type Locator = (row: QueryValue[]) => RowRegion | undefined;

const AXES = ['z', 'y', 'x'] as const;

/** The first of `names` (each tried bare and with `_vox`) that the result has, as a column index. */
function find(columns: string[], names: string[]): number[] | undefined {
  for (const suffix of ['', '_vox']) {
    const idx = names.map((n) => columns.indexOf(n + suffix));
    if (idx.every((i) => i >= 0)) return idx;
  }
  return undefined;
}

function numbers(row: QueryValue[], idx: number[]): number[] | undefined {
  if (idx.some((i) => row[i] === null)) return undefined;
  const v = idx.map((i) => Number(row[i]));
  return v.every(Number.isFinite) ? v : undefined;
}

function boxLocator(idx: number[]): Locator {
  return (row) => {
    const v = numbers(row, idx);
    if (!v) return undefined;
    const lo = [Math.min(v[0], v[3]), Math.min(v[1], v[4]), Math.min(v[2], v[5])] as Vec3;
    const hi = [Math.max(v[0], v[3]), Math.max(v[1], v[4]), Math.max(v[2], v[5])] as Vec3;
    return { center: lo.map((l, a) => (l + hi[a]) / 2) as Vec3, lo, hi };
  };
}

function pointLocator(idx: number[]): Locator {
  return (row) => {
    const v = numbers(row, idx);
    return v ? { center: v as Vec3, lo: v as Vec3, hi: v as Vec3 } : undefined;
  };
}

/**
 * How to find the object of each row from the result's columns, in order of preference: a
 * bounding box (`bbox_z0` … `bbox_x1`: components), a centroid, a branch's two ends
 * (`src_z_vox` … `dst_x_vox`), a point (`z, y, x`: nodes); undefined when there is none.
 */
export function rowLocator(columns: string[]): Locator | undefined {
  const bbox = find(columns, [...AXES.map((a) => `bbox_${a}0`), ...AXES.map((a) => `bbox_${a}1`)]);
  if (bbox) return boxLocator(bbox);
  const ends = find(columns, [...AXES.map((a) => `src_${a}`), ...AXES.map((a) => `dst_${a}`)]);
  if (ends) return boxLocator(ends);
  const centroid = find(columns, AXES.map((a) => `centroid_${a}`));
  if (centroid) return pointLocator(centroid);
  const point = find(columns, [...AXES]);
  return point ? pointLocator(point) : undefined;
}

/** The row's id for names and captions: the first id-like column it has. */
export function rowIdColumn(columns: string[]): string | undefined {
  return ['label', 'branch_id', 'node_id', 'tile', 'id'].find((c) => columns.includes(c));
}

/** Rows of the study tables that come from JSON files (summary.json, pairs.json, positions.json). */
export type TableRow = Record<string, string | number | boolean | null>;

const AXES = ['z', 'y', 'x'] as const;

const isScalar = (v: unknown): v is string | number | boolean | null => v === null || ['string', 'number', 'boolean'].includes(typeof v);

const isVec3 = (v: unknown): v is [number, number, number] => Array.isArray(v) && v.length === 3 && v.every((c) => typeof c === 'number');

/** Scalars of a nested object as one flat row (`a.b` → `a_b`); lists are left out (they are not columns). */
export function flattenScalars(value: Record<string, unknown>, prefix = '', out: TableRow = {}): TableRow {
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}_${k}` : k;
    if (isScalar(v)) out[name] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) flattenScalars(v as Record<string, unknown>, name, out);
  }
  return out;
}

/** One row of `summary` from network/summary.json. */
export function summaryRow(summary: Record<string, unknown>): TableRow {
  return flattenScalars(summary);
}

/** Rows of `pairs` from pairs.json: (z, y, x) triples become `<name>_z_vox`, `_y_vox`, `_x_vox`. */
export function pairRows(pairs: Record<string, unknown>[]): TableRow[] {
  return pairs.map((p) => {
    const row: TableRow = {};
    for (const [k, v] of Object.entries(p)) {
      if (isScalar(v)) row[k] = v;
      else if (isVec3(v)) AXES.forEach((a, i) => (row[`${k}_${a}_vox`] = v[i]));
    }
    return row;
  });
}

/** Rows of `positions` from positions.json: one per tile, its optimised position in voxels. */
export function positionRows(tiles: Record<string, Record<string, unknown>>): TableRow[] {
  return Object.entries(tiles).map(([tile, t]) => {
    const row: TableRow = { tile };
    if (isVec3(t.position)) AXES.forEach((a, i) => (row[`${a}_vox`] = (t.position as number[])[i]));
    row.nominal_only = t.nominal_only === true;
    for (const [k, v] of Object.entries(t)) if (k !== 'position' && k !== 'nominal_only' && isScalar(v)) row[k] = v;
    return row;
  });
}

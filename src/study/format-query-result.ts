import type { QueryResult, QueryValue } from './query-study.js';

export type QueryFormat = 'table' | 'csv' | 'json';

const text = (v: QueryValue) => (v === null ? '' : String(v));

function csvField(v: QueryValue): string {
  const s = text(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function alignedTable(r: QueryResult): string {
  const cells = [r.columns, ...r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : text(v))))];
  const widths = r.columns.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const numeric = r.columns.map((_, c) => r.rows.length > 0 && r.rows.every((row) => row[c] === null || typeof row[c] === 'number'));
  const line = (row: string[]) => row.map((s, c) => (numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(cells[0]), rule, ...cells.slice(1).map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}

/** A query result as an aligned text table, CSV (header line, RFC 4180 quoting) or JSON (an array of row objects). */
export function formatQueryResult(r: QueryResult, format: QueryFormat): string {
  if (format === 'json') return JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])))) + '\n';
  if (format === 'csv') return [r.columns.map(csvField).join(','), ...r.rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';
  return alignedTable(r);
}

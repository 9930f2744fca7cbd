import { StitchgraphError } from '../errors.js';
import type { Study } from './load-study.js';
import { openStudyDatabase, type StudyDatabase } from './open-study-database.js';

export type QueryValue = string | number | boolean | null;

export interface QueryResult {
  columns: string[];
  rows: QueryValue[][];
}

/** DuckDB values as plain JSON-able values: integers as numbers (as strings beyond 2^53), dates as ISO text. */
function plainValue(v: unknown): QueryValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
}

/** Run SQL on an open study database. */
export async function queryStudyDatabase(db: StudyDatabase, sql: string): Promise<QueryResult> {
  try {
    const reader = await db.conn.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS().map((r) => r.map(plainValue)) };
  } catch (err) {
    throw new StitchgraphError('InputError', `Cannot run query: ${(err as Error).message.split('\n')[0]}`, { cause: err, details: { sql } });
  }
}

/**
 * `stitchgraph query`: SQL over the pooled tables of a study (components, branches, nodes,
 * summary, pairs, positions, samples; docs/study.md) through DuckDB.
 */
export async function queryStudy(study: Study, sql: string): Promise<QueryResult> {
  const db = await openStudyDatabase(study);
  try {
    return await queryStudyDatabase(db, sql);
  } finally {
    db.close();
  }
}

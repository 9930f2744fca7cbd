import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** An in-memory DuckDB connection; `close` frees the database. */
export interface DuckDb {
  conn: DuckDBConnection;
  close(): void;
}

export async function openDuckDb(): Promise<DuckDb> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A quoted SQL identifier. */
export const sqlIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Column names of a relation (a table function call or a subquery). */
export async function columnNames(conn: DuckDBConnection, relation: string): Promise<string[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return r.getRowObjectsJS().map((row) => String(row.column_name));
}

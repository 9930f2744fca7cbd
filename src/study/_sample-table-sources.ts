import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { columnNames, sqlIdent, sqlString } from './_duckdb.js';
import { pairRows, positionRows, summaryRow, type TableRow } from './_json-table-rows.js';

/** The pooled tables of a study, in documentation order (docs/study.md). */
export const STUDY_TABLES = ['components', 'branches', 'nodes', 'summary', 'pairs', 'positions'] as const;
export type StudyTable = (typeof STUDY_TABLES)[number];

/** Where each table comes from in a campaign's workdir. */
export const TABLE_SOURCES: Record<StudyTable, string[]> = {
  components: ['network/components.csv'],
  branches: ['network/branches.csv', 'network/nodes.csv'],
  nodes: ['network/nodes.csv'],
  summary: ['network/summary.json'],
  pairs: ['pairs.json'],
  positions: ['positions.json'],
};

/** Scratch files a relation needs while it is copied (removed afterwards). */
export interface TableRelation {
  sql: string;
  scratch: string[];
}

// Columns are read by name: the network tables may gain columns (e.g. unit-suffixed ones), and
// DuckDB's CSV reader passes every column through with its own inferred type.
const csv = (path: string) => `read_csv(${sqlString(path)}, header = true, auto_detect = true, sample_size = -1)`;

async function hasRows(path: string): Promise<boolean> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l.trim().length > 0).length > 1;
}

const pick = (cols: string[], names: string[]) => names.find((n) => cols.includes(n));

/**
 * branches.csv with the positions of its two end nodes joined from nodes.csv (`src_z_vox` ...
 * `dst_x_vox`), so a branch row can be found in the image; left as it is when the CSV carries them.
 */
async function branchesRelation(conn: DuckDBConnection, branches: string, nodes: string): Promise<string> {
  const bcols = await columnNames(conn, csv(branches));
  if (bcols.includes('src_z_vox') || !bcols.includes('node_src') || !bcols.includes('node_dst')) return `SELECT * FROM ${csv(branches)}`;
  if (!existsSync(nodes) || !(await hasRows(nodes))) return `SELECT * FROM ${csv(branches)}`;
  const ncols = await columnNames(conn, csv(nodes));
  const axes = (['z', 'y', 'x'] as const).map((a) => pick(ncols, [a, `${a}_vox`]));
  const id = pick(ncols, ['node_id', 'id']);
  if (!id || axes.some((a) => a === undefined)) return `SELECT * FROM ${csv(branches)}`;
  const ends = ['src', 'dst'].flatMap((end) => axes.map((c, i) => `${end}.${sqlIdent(c!)} AS ${end}_${'zyx'[i]}_vox`));
  return `SELECT b.*, ${ends.join(', ')} FROM ${csv(branches)} b
    LEFT JOIN ${csv(nodes)} src ON b.node_src = src.${sqlIdent(id)}
    LEFT JOIN ${csv(nodes)} dst ON b.node_dst = dst.${sqlIdent(id)}`;
}

async function jsonRelation(rows: TableRow[], scratch: string): Promise<TableRelation | undefined> {
  if (rows.length === 0) return undefined;
  await writeFile(scratch, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { sql: `SELECT * FROM read_json_auto(${sqlString(scratch)}, format = 'newline_delimited', sample_size = -1)`, scratch: [scratch] };
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

/**
 * The SELECT that makes one table of one sample from its workdir (without the `sample` column),
 * or undefined when the sample has no rows for it (its sources missing or empty).
 */
export async function tableRelation(conn: DuckDBConnection, table: StudyTable, workdir: string, scratchDir: string): Promise<TableRelation | undefined> {
  const [main, extra] = TABLE_SOURCES[table].map((f) => join(workdir, f));
  const scratch = join(scratchDir, `.${table}.${process.pid}.ndjson.tmp`);
  if (!existsSync(main)) return undefined;
  switch (table) {
    case 'components':
    case 'nodes':
      return (await hasRows(main)) ? { sql: `SELECT * FROM ${csv(main)}`, scratch: [] } : undefined;
    case 'branches':
      return (await hasRows(main)) ? { sql: await branchesRelation(conn, main, extra), scratch: [] } : undefined;
    case 'summary':
      return jsonRelation([summaryRow(await readJson(main))], scratch);
    case 'pairs':
      return jsonRelation(pairRows(((await readJson(main)).pairs as Record<string, unknown>[] | undefined) ?? []), scratch);
    case 'positions':
      return jsonRelation(positionRows(((await readJson(main)).tiles as Record<string, Record<string, unknown>> | undefined) ?? {}), scratch);
  }
}

import { join } from 'node:path';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { hashFile } from '../pipeline/fingerprint.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { openDuckDb, sqlString } from './_duckdb.js';
import { STUDY_TABLES, TABLE_SOURCES, tableRelation, type StudyTable } from './_sample-table-sources.js';

/** Folder of a sample's Parquet tables inside its campaign workdir. */
export const TABLES_DIR = 'tables';
const MANIFEST = 'manifest.json';
/** Bumped when the way tables are made changes, so old tables are remade. */
const TABLES_VERSION = 1;

export interface SampleTablesResult {
  /** Tables (re)written this time. */
  written: StudyTable[];
  /** Tables already up to date. */
  current: StudyTable[];
  /** Tables the sample has no rows for (no file). */
  absent: StudyTable[];
}

interface TablesManifest {
  version: number;
  sample: string;
  tables: Partial<Record<StudyTable, { sources: (string | null)[]; rows: boolean }>>;
}

async function readManifest(dir: string): Promise<TablesManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as TablesManifest;
  } catch {
    return undefined;
  }
}

/** COPY one relation, with the sample id as its first column, to Parquet under a temporary name, then rename. */
async function copyToParquet(conn: DuckDBConnection, sample: string, sql: string, target: string): Promise<void> {
  const tmp = join(target, '..', `.${TABLES_DIR}.${process.pid}.${randomBytes(4).toString('hex')}.parquet.tmp`);
  try {
    await conn.run(`COPY (SELECT ${sqlString(sample)} AS sample, * FROM (${sql})) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function writeTable(conn: DuckDBConnection, sample: string, table: StudyTable, workdir: string, dir: string): Promise<boolean> {
  const target = join(dir, `${table}.parquet`);
  const rel = await tableRelation(conn, table, workdir, dir);
  if (!rel) {
    await rm(target, { force: true });
    return false;
  }
  try {
    await copyToParquet(conn, sample, rel.sql, target);
  } finally {
    for (const f of rel.scratch) await rm(f, { force: true });
  }
  return true;
}

/**
 * Write a sample's result tables as Parquet beside its CSVs: `workdir/tables/<table>.parquet` for
 * components, branches, nodes, summary, pairs and positions, each with the `sample` column first
 * (docs/study.md). Each file is written atomically; a table whose sources are unchanged since it
 * was written is kept, so a rerun only redoes what changed.
 */
export async function writeSampleTables(sample: string, workdir: string): Promise<SampleTablesResult> {
  const dir = join(workdir, TABLES_DIR);
  await mkdir(dir, { recursive: true });
  const old = await readManifest(dir);
  const manifest: TablesManifest = { version: TABLES_VERSION, sample, tables: {} };
  const result: SampleTablesResult = { written: [], current: [], absent: [] };
  const db = await openDuckDb();
  try {
    for (const table of STUDY_TABLES) {
      const sources = await Promise.all(TABLE_SOURCES[table].map(async (f) => (await hashFile(join(workdir, f))) ?? null));
      const before = old?.version === TABLES_VERSION && old.sample === sample ? old.tables[table] : undefined;
      if (before && JSON.stringify(before.sources) === JSON.stringify(sources) && (!before.rows || (await hashFile(join(dir, `${table}.parquet`))) !== undefined)) {
        manifest.tables[table] = before;
        result[before.rows ? 'current' : 'absent'].push(table);
        continue;
      }
      const rows = await writeTable(db.conn, sample, table, workdir, dir);
      manifest.tables[table] = { sources, rows };
      if (rows) result.written.push(table);
      else result.absent.push(table);
    }
  } finally {
    db.close();
  }
  await writeJsonAtomic(join(dir, MANIFEST), manifest);
  return result;
}

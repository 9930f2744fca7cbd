import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadCampaignConfig } from '../campaign/load-config.js';
import { openDuckDb, sqlString } from './_duckdb.js';
import { STUDY_TABLES } from './_sample-table-sources.js';
import { TABLES_DIR } from './write-sample-tables.js';
import type { Study } from './load-study.js';

/** The study's tables as views in an in-memory DuckDB: `components` ... `positions` and `samples`. */
export interface StudyDatabase {
  conn: DuckDBConnection;
  /** Each sample's workdir (undefined where its campaign file cannot be read). */
  workdirs: Map<string, string | undefined>;
  /** Parquet files behind each view. */
  files: Record<string, string[]>;
  close(): void;
}

async function sampleWorkdirs(study: Study): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const s of study.samples) {
    try {
      out.set(s.id, (await loadCampaignConfig(s.campaign)).config.workdir);
    } catch {
      // A sample whose campaign is broken has no tables; `study run` reports why.
      out.set(s.id, undefined);
    }
  }
  return out;
}

/** `samples`: one row per sample (id, campaign, workdir, whether it has tables, metadata of the study file and the CSV). */
async function createSamplesTable(conn: DuckDBConnection, study: Study, workdirs: Map<string, string | undefined>): Promise<void> {
  const rows = study.samples.map((s) => {
    const wd = workdirs.get(s.id);
    return { sample: s.id, campaign: s.campaign, workdir: wd ?? null, tables: wd !== undefined && existsSync(join(wd, TABLES_DIR, 'manifest.json')), ...s.metadata };
  });
  const dir = mkdtempSync(join(tmpdir(), 'stitchgraph-study-'));
  try {
    const file = join(dir, 'samples.ndjson');
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await conn.run(`CREATE TABLE samples_listed AS SELECT * FROM read_json_auto(${sqlString(file)}, format = 'newline_delimited', sample_size = -1)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!study.metadataCsv) {
    await conn.run('CREATE VIEW samples AS SELECT * FROM samples_listed');
    return;
  }
  // Ids are text (folder names such as 007 must not become the number 7).
  const csv = `read_csv(${sqlString(study.metadataCsv)}, header = true, auto_detect = true, sample_size = -1, types = {'id': 'VARCHAR'})`;
  await conn.run(`CREATE TABLE samples_metadata AS SELECT * FROM ${csv}`);
  await conn.run('CREATE VIEW samples AS SELECT l.*, m.* EXCLUDE (id) FROM samples_listed l LEFT JOIN samples_metadata m ON l.sample = m.id');
}

/**
 * Open the pooled tables of a study for SQL: each table is a view over the samples'
 * `workdir/tables/<table>.parquet` (columns matched by name across samples, so samples written by
 * different versions pool together); a table no sample has yet is an empty view with a `sample`
 * column.
 */
export async function openStudyDatabase(study: Study): Promise<StudyDatabase> {
  const workdirs = await sampleWorkdirs(study);
  const db = await openDuckDb();
  const files: Record<string, string[]> = {};
  try {
    for (const table of STUDY_TABLES) {
      files[table] = [...workdirs.values()].flatMap((wd) => (wd ? [join(wd, TABLES_DIR, `${table}.parquet`)] : [])).filter((f) => existsSync(f));
      const body = files[table].length
        ? `SELECT * FROM read_parquet([${files[table].map(sqlString).join(', ')}], union_by_name = true)`
        : 'SELECT CAST(NULL AS VARCHAR) AS sample WHERE false';
      await db.conn.run(`CREATE VIEW ${table} AS ${body}`);
    }
    await createSamplesTable(db.conn, study, workdirs);
  } catch (err) {
    db.close();
    throw err;
  }
  return { conn: db.conn, workdirs, files, close: db.close };
}

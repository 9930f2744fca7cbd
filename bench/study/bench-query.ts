// Benchmark of study queries (issue #19). Run:
//   npx tsx bench/study/bench-query.ts --samples 100 --rows 100000   # 10^7 pooled branch rows (the figure)
//   npx tsx bench/study/bench-query.ts --samples 10 --rows 10000     # a quick check that it works
// Synthesises a study of N samples, each with a branches table of R rows written both as
// `workdir/tables/branches.parquet` (what `study run` writes) and `workdir/network/branches.csv`
// (today's CSV), then answers the same question — per sample: branch count, mean length, 90th
// percentile of the radius, junction–junction length; the 10 samples with the longest branches —
// with `stitchgraph query` (DuckDB over the Parquet files) and with pandas on the CSVs (Debian's
// pandas has no Parquet engine), and prints the times side by side and whether the answers agree.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { openDuckDb, sqlString } from '../../src/study/_duckdb.js';
import { loadStudy } from '../../src/study/load-study.js';
import { queryStudy } from '../../src/study/query-study.js';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '100' }, rows: { type: 'string', default: '100000' }, keep: { type: 'boolean', default: false } } });
const nSamples = Number(values.samples), nRows = Number(values.rows);
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-study-'));

const SQL = `SELECT sample, count(*) AS n, avg(length_um) AS mean_length_um,
  quantile_cont(mean_radius_um, 0.9) AS p90_radius_um,
  coalesce(sum(length_um) FILTER (WHERE branch_type = 2), 0) AS jj_length_um
FROM branches GROUP BY sample ORDER BY mean_length_um DESC LIMIT 10`;

const PANDAS = String.raw`
import sys, os, json, time
import pandas as pd
root, n = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
ids = ['s%04d' % i for i in range(n)]
b = pd.concat([pd.read_csv(os.path.join(root, 'samples', s, 'out', 'network', 'branches.csv')).assign(sample=s) for s in ids], ignore_index=True)
t1 = time.perf_counter()
g = b.groupby('sample')
r = pd.DataFrame({'n': g.size(), 'mean_length_um': g.length_um.mean(), 'p90_radius_um': g.mean_radius_um.quantile(0.9),
                  'jj_length_um': b[b.branch_type == 2].groupby('sample').length_um.sum()}).fillna({'jj_length_um': 0})
r = r.sort_values('mean_length_um', ascending=False).head(10).reset_index()
t2 = time.perf_counter()
print(json.dumps({'read_s': t1 - t0, 'query_s': t2 - t1, 'rows': len(b), 'result': r.to_dict('records')}))
`;

/** Each sample: a minimal campaign file (never opened by `query`), its Parquet table and the same rows as CSV. */
async function synthesise(): Promise<void> {
  const db = await openDuckDb();
  try {
    await db.conn.run('SELECT setseed(0.19)');
    for (let s = 0; s < nSamples; s++) {
      const id = `s${String(s).padStart(4, '0')}`;
      const wd = join(dir, 'samples', id, 'out');
      mkdirSync(join(wd, 'tables'), { recursive: true });
      mkdirSync(join(wd, 'network'), { recursive: true });
      writeFileSync(join(dir, 'samples', id, 'campaign.yaml'), 'store: ./s.zarr\nworkdir: ./out\ngrid: { tiles: [1, 1, 2], overlap: 0.1, array: "t_{z}_{y}_{x}" }\n');
      const scale = 1 + (s % 7) / 10; // samples differ, so the ranking means something
      const pq = join(wd, 'tables', 'branches.parquet');
      await db.conn.run(`COPY (SELECT ${sqlString(id)} AS sample, i AS branch_id, i AS node_src, i + 1 AS node_dst,
          CAST(floor(random() * 4) AS INTEGER) AS branch_type, round(random() * 50 * ${scale}, 6) AS length_um,
          round(random() * 40, 6) AS euclidean_um, round(1 + random(), 6) AS tortuosity, round(1 + random() * 4 * ${scale}, 6) AS mean_radius_um,
          CAST(random() < 0.1 AS INTEGER) AS on_border, CAST(floor(random() * 100) AS INTEGER) AS component
        FROM range(${nRows}) t(i)) TO ${sqlString(pq)} (FORMAT parquet, COMPRESSION zstd)`);
      await db.conn.run(`COPY (SELECT * EXCLUDE (sample) FROM read_parquet(${sqlString(pq)})) TO ${sqlString(join(wd, 'network', 'branches.csv'))} (FORMAT csv, HEADER)`);
    }
  } finally {
    db.close();
  }
  writeFileSync(join(dir, 'study.yaml'), 'study: bench\nsamples: ./samples/*/campaign.yaml\n');
}

interface Row { sample: string; n: number; mean_length_um: number; p90_radius_um: number; jj_length_um: number }

let t0 = performance.now();
await synthesise();
process.stdout.write(`study: ${nSamples} samples × ${nRows} branches = ${(nSamples * nRows).toExponential(2)} pooled rows (synthesised in ${((performance.now() - t0) / 1000).toFixed(1)} s) in ${dir}\n`);

t0 = performance.now();
const res = await queryStudy(await loadStudy(join(dir, 'study.yaml')), SQL);
const duck = (performance.now() - t0) / 1000;
const duckRows = res.rows.map((r) => Object.fromEntries(res.columns.map((c, i) => [c, r[i]]))) as unknown as Row[];

const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PANDAS, dir, String(nSamples)], { encoding: 'utf8', maxBuffer: 1 << 26 })) as { read_s: number; query_s: number; rows: number; result: Row[] };
const maxRel = Math.max(...duckRows.flatMap((r, i) => (['n', 'mean_length_um', 'p90_radius_um', 'jj_length_um'] as const).map((k) => Math.abs(r[k] - py.result[i][k]) / Math.max(1, Math.abs(py.result[i][k])))));
const same = duckRows.every((r, i) => r.sample === py.result[i]?.sample) && maxRel < 1e-9;

process.stdout.write(`\nquery: ${SQL.replace(/\s+/g, ' ')}\n\n`);
process.stdout.write(`| engine | reads | query | total |\n|---|---|---|---|\n`);
process.stdout.write(`| stitchgraph query (DuckDB over Parquet) | — | — | ${duck.toFixed(2)} s |\n`);
process.stdout.write(`| pandas ${'(read_csv + groupby)'} | ${py.read_s.toFixed(2)} s | ${py.query_s.toFixed(2)} s | ${(py.read_s + py.query_s).toFixed(2)} s |\n\n`);
process.stdout.write(`answers agree: ${same} (same 10 samples in the same order; largest relative difference ${maxRel.toExponential(1)}); pandas pooled ${py.rows} rows\n`);
process.stdout.write(`top: ${duckRows.slice(0, 3).map((r) => `${r.sample} ${r.mean_length_um.toFixed(3)}`).join(', ')}\n`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });

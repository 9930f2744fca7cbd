import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { runCli } from '../helpers/run-cli.js';
import { loadStudy } from '../../src/study/load-study.js';
import { runStudy } from '../../src/study/run-study.js';
import { queryStudy } from '../../src/study/query-study.js';
import { galleryStudy } from '../../src/study/gallery-study.js';

// A study of three small synthetic samples (2 tiles of 32×64×64 each) and a fourth whose store is
// missing: `study run` must finish the three, report the fourth and exit non-zero.
const dir = mkdtempSync(join(tmpdir(), 'sg-study-'));
const study = join(dir, 'study.yaml');
const SAMPLES = ['m1', 'm2', 'm3'];
let runResult: Awaited<ReturnType<typeof runCli>>;

/** The same aggregation in pandas over the samples' CSVs (what a scientist would write by hand). */
const PANDAS = String.raw`
import sys, json, os
import pandas as pd
root, samples = sys.argv[1], sys.argv[2].split(',')
def pooled(name):
    return pd.concat([pd.read_csv(os.path.join(root, 'samples', s, 'out', 'network', name)).assign(sample=s) for s in samples])
meta = pd.read_csv(os.path.join(root, 'meta.csv')).rename(columns={'id': 'sample'})
c = pooled('components.csv').merge(meta, on='sample')
comp = c.groupby(['sample', 'strain']).agg(n=('label', 'size'), mean_volume_um3=('volume_um3', 'mean'), max_sphericity=('sphericity', 'max')).reset_index()
b = pooled('branches.csv')
br = b.groupby('sample').agg(n=('branch_id', 'size'), total_length_um=('length_um', 'sum'), mean_tortuosity=('tortuosity', 'mean')).reset_index()
strain = c.groupby('strain').agg(mean_volume_um3=('volume_um3', 'mean')).reset_index()
print(json.dumps({'components': comp.to_dict('records'), 'branches': br.to_dict('records'), 'strain': strain.to_dict('records'), 'big': int((c.volume_um3 > 500).sum())}))
`;

interface PandasResult {
  components: { sample: string; strain: string; n: number; mean_volume_um3: number; max_sphericity: number }[];
  branches: { sample: string; n: number; total_length_um: number; mean_tortuosity: number }[];
  strain: { strain: string; mean_volume_um3: number }[];
  big: number;
}

/** Rows as objects, through the library (the CLI's `--format csv` is checked once below). */
async function queryJson<T>(sql: string): Promise<T[]> {
  const r = await queryStudy(await loadStudy(study), sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))) as T[];
}

function expectRowsClose(actual: Record<string, unknown>[], expected: Record<string, unknown>[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    for (const [k, v] of Object.entries(expected[i])) {
      if (typeof v === 'number') expect(row[k] as number, `${k} of row ${i}`).toBeCloseTo(v, 9);
      else expect(row[k], `${k} of row ${i}`).toBe(v);
    }
  });
}

beforeAll(async () => {
  for (const [i, id] of SAMPLES.entries()) await synthCampaign({ outDir: join(dir, 'samples', id), name: 'campaign', grid: [1, 1, 2], tileShape: [32, 64, 64], seed: i + 1 });
  mkdirSync(join(dir, 'samples', 'm4'));
  writeFileSync(join(dir, 'samples', 'm4', 'campaign.yaml'), 'store: ./missing.zarr\nworkdir: ./out\ngrid: { tiles: [1, 1, 2], overlap: 0.1, array: "t_{z}_{y}_{x}" }\n');
  writeFileSync(join(dir, 'meta.csv'), 'id,strain,age\nm1,B6,10\nm2,B6,12\nm3,C3H,11\nm4,C3H,9\n');
  writeFileSync(study, 'study: mice\nsamples: ./samples/*/campaign.yaml\nmetadata: ./meta.csv\n');
  runResult = await runCli(['study', 'run', study, '--workers', '1'], { timeoutMs: 240_000 });
}, 300_000);

describe('stitchgraph study run', () => {
  it('finishes the good samples, reports the failing one and exits non-zero', () => {
    expect(runResult.code).toBe(1);
    for (const id of SAMPLES) expect(runResult.stdout).toMatch(new RegExp(`${id}: ok`));
    expect(runResult.stdout).toMatch(/m4: FAILED: Cannot open campaign .*missing\.zarr/);
    expect(runResult.stderr).toMatch(/stitchgraph: Cannot finish study run: 1 of 4 samples failed \(m4\)/);
    for (const id of SAMPLES) for (const t of ['components', 'branches', 'nodes', 'summary', 'pairs', 'positions']) {
      expect(existsSync(join(dir, 'samples', id, 'out', 'tables', `${t}.parquet`)), `${id} ${t}`).toBe(true);
    }
  });

  it('skips complete samples on a rerun', async () => {
    // The first rerun may still redo a stage: on main (after the pyramid merge) the pyramid stage's
    // inputs hash files its own run writes, so a fresh campaign settles on its second run. The
    // study's own claim is checked on the run after that: every complete sample skipped.
    // (A stage that reruns rewrites e.g. positions.json with new timings, so its table is remade.)
    await runStudy(await loadStudy(study), { workers: 1 });
    const again = await runStudy(await loadStudy(study), { workers: 1 });
    expect(again.outcomes.map((o) => [o.sample, o.status, o.nothingToDo ?? false])).toEqual([...SAMPLES.map((id) => [id, 'ok', true]), ['m4', 'failed', false]]);
    for (const o of again.outcomes.slice(0, 3)) expect(o.tables?.written).toEqual([]);
  });
});

describe('stitchgraph query', () => {
  let pandas: PandasResult;
  beforeAll(() => {
    pandas = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PANDAS, dir, SAMPLES.join(',')], { encoding: 'utf8' })) as PandasResult;
  });

  it('joins components with the metadata and aggregates per sample as pandas does on the CSVs', async () => {
    const rows = await queryJson<Record<string, unknown>>(
      'SELECT sample, strain, count(*) AS n, avg(volume_um3) AS mean_volume_um3, max(sphericity) AS max_sphericity FROM components JOIN samples USING (sample) GROUP BY sample, strain ORDER BY sample',
    );
    expectRowsClose(rows, pandas.components);
  });

  it('aggregates branches per sample and components per strain as pandas does', async () => {
    const branches = await queryJson<Record<string, unknown>>('SELECT sample, count(*) AS n, sum(length_um) AS total_length_um, avg(tortuosity) AS mean_tortuosity FROM branches GROUP BY sample ORDER BY sample');
    expectRowsClose(branches, pandas.branches);
    const strain = await queryJson<Record<string, unknown>>('SELECT strain, avg(volume_um3) AS mean_volume_um3 FROM components JOIN samples USING (sample) GROUP BY strain ORDER BY strain');
    expectRowsClose(strain, pandas.strain);
  });

  it('pools summary, pairs and positions with their sample, and lists every sample', async () => {
    const summary = await queryJson<{ sample: string; total_length_um: number }>('SELECT sample, total_length_um FROM summary ORDER BY sample');
    expect(summary.map((r) => r.sample)).toEqual(SAMPLES);
    for (const r of summary) {
      const json = JSON.parse(readFileSync(join(dir, 'samples', r.sample, 'out', 'network', 'summary.json'), 'utf8')) as { total_length_um: number };
      expect(r.total_length_um).toBeCloseTo(json.total_length_um, 9);
    }
    const positions = await queryJson<{ sample: string; n: number }>('SELECT sample, count(*) AS n FROM positions GROUP BY sample ORDER BY sample');
    expect(positions).toEqual(SAMPLES.map((sample) => ({ sample, n: 2 })));
    const pairs = await queryJson<{ n: number }>('SELECT count(*) AS n FROM pairs');
    expect(pairs[0].n).toBe(3);
    const samples = await queryJson<{ sample: string; tables: boolean; age: number }>('SELECT sample, tables, age FROM samples ORDER BY sample');
    expect(samples).toEqual([
      { sample: 'm1', tables: true, age: 10 },
      { sample: 'm2', tables: true, age: 12 },
      { sample: 'm3', tables: true, age: 11 },
      { sample: 'm4', tables: false, age: 9 },
    ]);
  });

  it('prints csv and an aligned table, and names a bad query', async () => {
    const csv = await runCli(['query', study, 'SELECT sample, count(*) AS n FROM nodes GROUP BY sample ORDER BY sample', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('sample,n');
    expect(csv.stdout.trim().split('\n')).toHaveLength(4);
    const bad = await runCli(['query', study, 'SELECT nope FROM branches']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^stitchgraph: Cannot run query: .*nope/m);
  });
});

describe('stitchgraph gallery', () => {
  it('writes one non-blank PNG per selected row and an index page', async () => {
    const pandas = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PANDAS, dir, SAMPLES.join(',')], { encoding: 'utf8' })) as PandasResult;
    const out = join(dir, 'gallery');
    const r = await runCli(['gallery', study, 'SELECT * FROM components WHERE volume_um3 > 500 ORDER BY volume_um3 DESC', '--out', out]);
    expect(r.stderr).not.toMatch(/stitchgraph:/);
    expect(r.code).toBe(0);
    const pngs = readdirSync(out).filter((f) => f.endsWith('.png'));
    expect(pandas.big).toBeGreaterThan(0);
    expect(pngs).toHaveLength(pandas.big);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const f of pngs) {
      expect(f).toMatch(/^\d{4}_m[123]_label-\d+\.png$/);
      expect(html).toContain(`src="${f}"`);
      const img = decode(readFileSync(join(out, f)));
      const px = Array.from(img.data as Uint8Array);
      const mean = px.reduce((s, v) => s + v, 0) / px.length;
      const sd = Math.sqrt(px.reduce((s, v) => s + (v - mean) ** 2, 0) / px.length);
      expect(img.width).toBeGreaterThanOrEqual(48);
      expect(img.channels).toBe(3);
      expect(sd, f).toBeGreaterThan(10);
    }
  });

  it('draws branches and nodes too, and refuses rows without a position', async () => {
    const s = await loadStudy(study);
    const out = join(dir, 'gallery-branches');
    const r = await galleryStudy(s, "SELECT * FROM branches WHERE sample = 'm2' ORDER BY length_um DESC LIMIT 3", out);
    expect(r.entries.map((e) => e.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^branch_id \d+$/)]));
    expect(readdirSync(out).filter((f) => f.endsWith('.png')).map((f) => f.replace(/_branch_id-\d+/, ''))).toEqual(['0001_m2.png', '0002_m2.png', '0003_m2.png']);
    const nodes = await galleryStudy(s, "SELECT * FROM nodes WHERE kind = 'endpoint' LIMIT 2", join(dir, 'gallery-nodes'));
    expect(nodes.entries).toHaveLength(2);
    await expect(galleryStudy(s, 'SELECT * FROM summary', join(dir, 'gallery-bad'))).rejects.toThrow(/Cannot make a gallery: the rows carry no position/);
    await expect(galleryStudy(s, 'SELECT * FROM components', join(dir, 'gallery-bad'), { maxRows: 2 })).rejects.toThrow(/more than 2; add a LIMIT/);
  });
});

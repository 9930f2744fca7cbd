/**
 * `register` on a synthetic 3-D campaign with: the local pool (1 and 2 threads) and 2 NATS worker
 * processes, executors started (and warmed) before timing, interleaved rounds, best of REPEAT.
 * pairs.json must be identical (timing fields aside) on every executor.
 * Run (after registration is merged): npx tsx bench/dispatch/register.bench.ts   (env: GRID=2,3,3 TILE=96 REPEAT=2)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { WorkerPoolExecutor } from '../../src/distributed/worker-pool-executor.js';
import { NatsExecutor } from '../../src/distributed/nats-executor.js';
import { natsSettings } from '../../src/campaign/sections/distributed.js';
import type { Executor } from '../../src/distributed/executor.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { startNatsServer } from '../../test/distributed/nats-server.js';

type RegisterCampaign = (path: string, opts: { force?: boolean; executor?: Executor }) => Promise<{ file: string; computed: number }>;
// Loaded by path so that this file type-checks before the registration stage is merged.
const registrationModule = '../../src/registration/register-campaign.js';
const { registerCampaign } = (await import(registrationModule)) as { registerCampaign: RegisterCampaign };

const GRID = (process.env.GRID ?? '2,3,3').split(',').map(Number) as Vec3;
const TILE = Number(process.env.TILE ?? 96);
const REPEAT = Number(process.env.REPEAT ?? 2);
const root = resolve(import.meta.dirname, '..', '..');

function spawnWorker(url: string, id: string): Promise<ChildProcess> {
  const dist = join(root, 'dist', 'cli', 'main.js');
  const args = existsSync(dist) ? [dist] : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts')];
  const proc = spawn(process.execPath, [...args, '--log-level', 'warn', 'worker', '--servers', url, '--concurrency', '1', '--id', id], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((res, rej) => {
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(': ready')) res(proc);
    });
    proc.once('exit', (c) => rej(new Error(`worker ${id} exited ${c}: ${err}`)));
  });
}

const strip = (file: string) => JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), (k, v) => (k === 'seconds' ? undefined : v));

const res = await synthCampaign({ outDir: mkdtempSync(join(tmpdir(), 'sg-regbench-')), seed: 3, grid: GRID, tileShape: [TILE, TILE, TILE], overlap: 0.2, stageError: 5, noise: 0.04 });
console.log(`register bench: grid ${GRID.join('×')}, tiles ${TILE}³, best of ${REPEAT} interleaved rounds; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const server = await startNatsServer();
const workers = await Promise.all([spawnWorker(server.url, 'reg-a'), spawnWorker(server.url, 'reg-b')]);
const rows: { name: string; ex: Executor; all: number[] }[] = [
  { name: 'local pool, 1 thread', ex: new WorkerPoolExecutor({ size: 1 }), all: [] },
  { name: 'local pool, 2 threads', ex: new WorkerPoolExecutor({ size: 2 }), all: [] },
  { name: 'NATS, 2 worker processes', ex: await NatsExecutor.connect(natsSettings({ servers: server.url }), { runId: 'register-bench' }), all: [] },
];
let reference: string | undefined;
let pairs = 0;
try {
  for (const r of rows) await registerCampaign(res.configPath, { force: true, executor: r.ex }); // warm: threads, handler modules
  for (let round = 0; round < REPEAT; round++) {
    for (const r of rows) {
      const t0 = performance.now();
      const out = await registerCampaign(res.configPath, { force: true, executor: r.ex });
      r.all.push((performance.now() - t0) / 1000);
      pairs = out.computed;
      const text = strip(out.file);
      reference ??= text;
      if (text !== reference) throw new Error(`${r.name}: pairs.json differs from the first run`);
    }
  }
} finally {
  for (const r of rows) await r.ex.close();
  for (const w of workers) w.kill('SIGTERM');
  await server.stop();
}
const best = (r: { all: number[] }) => Math.min(...r.all);
console.log(`\n| executor | best s | all runs s | jobs/s |\n|---|---:|---|---:|`);
for (const r of rows) console.log(`| ${r.name} | ${best(r).toFixed(2)} | ${r.all.map((x) => x.toFixed(2)).join(', ')} | ${(pairs / best(r)).toFixed(1)} |`);
console.log(`\n${pairs} jobs per run; pairs.json identical on every executor: yes`);
console.log(`speed-up local 2 vs 1 threads: ${(best(rows[0]) / best(rows[1])).toFixed(2)}× (target ≥ 1.7×)`);
console.log(`NATS 2 workers vs local 2 threads: ${(((best(rows[2]) - best(rows[1])) / best(rows[1])) * 100).toFixed(1)} % (target ≤ +10 %)`);
console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

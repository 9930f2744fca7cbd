/**
 * Dispatch benchmark: one CPU-bound batch (`checksum` jobs) on
 *   inline (main thread, serial) | local pool, 1 thread | local pool, 2 threads | 2 NATS worker processes (1 slot each)
 * Targets: local 2 vs 1 ≥ 1.7× on 2 cores; NATS with 2 workers within 10 % of the local pool with 2.
 * Run: npx tsx bench/dispatch/dispatch.bench.ts   (env: JOBS=16 N=40000000 REPEAT=3)
 * Workers run from dist/ when it is built (npm run build), else from the sources through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { WorkerPoolExecutor } from '../../src/distributed/worker-pool-executor.js';
import { NatsExecutor } from '../../src/distributed/nats-executor.js';
import { natsSettings } from '../../src/campaign/sections/distributed.js';
import type { Executor, Job } from '../../src/distributed/executor.js';
import { startNatsServer } from '../../test/distributed/nats-server.js';

const JOBS = Number(process.env.JOBS ?? 16);
const N = Number(process.env.N ?? 40_000_000);
const REPEAT = Number(process.env.REPEAT ?? 3);
const root = resolve(import.meta.dirname, '..', '..');

const batch = (tag: string, count: number, n: number): Job[] => Array.from({ length: count }, (_, i) => ({ id: `${tag}${i}`, kind: 'checksum', payload: { seed: i + 1, n } }));

async function timeRun(ex: Executor, jobs: Job[]): Promise<{ s: number; values: Map<string, string> }> {
  const values = new Map<string, string>();
  const t0 = performance.now();
  for await (const o of ex.run(jobs)) {
    if (!o.ok) throw new Error(`job ${o.id} failed: ${o.error}`);
    values.set(o.id, JSON.stringify(o.value));
  }
  return { s: (performance.now() - t0) / 1000, values };
}

async function best(name: string, ex: Executor, reference: Map<string, string> | undefined, repeat = REPEAT): Promise<{ name: string; s: number; all: number[]; values: Map<string, string> }> {
  await timeRun(ex, batch('warm', 4, 1000)); // start threads / workers outside the timing
  const all: number[] = [];
  let values = new Map<string, string>();
  for (let r = 0; r < repeat; r++) {
    const t = await timeRun(ex, batch('job', JOBS, N));
    all.push(t.s);
    values = t.values;
  }
  if (reference) for (const [id, v] of reference) if (values.get(id) !== v) throw new Error(`${name}: job ${id} differs from the reference`);
  return { name, s: Math.min(...all), all, values };
}

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

console.log(`dispatch bench: ${JOBS} checksum jobs × ${N.toExponential(1)} draws, best of ${REPEAT}; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const rows: { name: string; s: number; all: number[] }[] = [];

const inline = await best('inline (main thread)', new InlineExecutor(), undefined, 1);
rows.push(inline);
for (const size of [1, 2]) {
  const ex = new WorkerPoolExecutor({ size });
  rows.push(await best(`local pool, ${size} thread${size > 1 ? 's' : ''}`, ex, inline.values));
  await ex.close();
}
const server = await startNatsServer();
const workers = await Promise.all([spawnWorker(server.url, 'bench-a'), spawnWorker(server.url, 'bench-b')]);
try {
  const ex = await NatsExecutor.connect(natsSettings({ servers: server.url }), { runId: 'bench' });
  rows.push(await best('NATS, 2 worker processes', ex, inline.values));
  await ex.close();
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await server.stop();
}

const byName = (prefix: string) => rows.find((r) => r.name.startsWith(prefix)) as { s: number };
const l1 = byName('local pool, 1');
const l2 = byName('local pool, 2');
const n2 = byName('NATS');
console.log('\n| executor | best s | all runs s | jobs/s |\n|---|---:|---|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.s.toFixed(2)} | ${r.all.map((x) => x.toFixed(2)).join(', ')} | ${(JOBS / r.s).toFixed(2)} |`);
console.log(`\nspeed-up local 2 vs 1 threads: ${(l1.s / l2.s).toFixed(2)}× (target ≥ 1.7×)`);
console.log(`NATS 2 workers vs local 2 threads: ${(((n2.s - l2.s) / l2.s) * 100).toFixed(1)} % slower (target ≤ 10 %)`);
console.log(`results identical on every executor: yes (checked job by job against inline)`);
console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startNatsServer, freePort, type NatsTestServer } from './nats-server.js';
import { NatsExecutor } from '../../src/distributed/nats-executor.js';
import { WorkerPoolExecutor } from '../../src/distributed/worker-pool-executor.js';
import { createExecutor } from '../../src/distributed/create-executor.js';
import { runJobs } from '../../src/distributed/run-jobs.js';
import { natsSettings, type NatsSettingsInput } from '../../src/campaign/sections/distributed.js';
import { isStitchgraphError } from '../../src/errors.js';
import type { Executor, Job, JobOutcome } from '../../src/distributed/executor.js';
import { restartJobs } from './fixtures/restart-jobs.js';
import { spawnWorker, type WorkerProc } from './_spawn-worker.js';

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures', 'test-kinds.ts');

async function collect(ex: Executor, jobs: Job[], each?: (o: JobOutcome) => void): Promise<Map<string, JobOutcome>> {
  const out = new Map<string, JobOutcome>();
  for await (const o of ex.run(jobs)) {
    expect(out.has(o.id), `outcome of ${o.id} twice`).toBe(false);
    out.set(o.id, o);
    each?.(o);
  }
  return out;
}

function executions(log: string): { starts: Map<string, string[]>; ends: Map<string, string[]> } {
  const starts = new Map<string, string[]>();
  const ends = new Map<string, string[]>();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n').filter(Boolean)) {
    const [what, id, pid] = line.split(' ');
    const m = what === 'start' ? starts : ends;
    m.set(id, [...(m.get(id) ?? []), pid]);
  }
  return { starts, ends };
}

const nats = (url: string, more: Partial<NatsSettingsInput> = {}) => natsSettings({ servers: url, ack_wait_s: 2, retry_delay_s: 0.2, ...more });

describe('NATS JetStream dispatch', () => {
  let server: NatsTestServer;
  let workers: WorkerProc[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'sg-nats-test-'));

  beforeAll(async () => {
    server = await startNatsServer();
    workers = await Promise.all([spawnWorker(server.url, 'wA', ['--concurrency', '1']), spawnWorker(server.url, 'wB', ['--concurrency', '1'])]);
  });

  afterAll(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await server?.stop();
  });

  it('two worker processes give the same results as the local pool', { timeout: 40_000 }, async () => {
    const jobs: Job[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, kind: 'checksum', payload: { seed: 7 * i + 1, n: 3_000_000 } })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `e${i}`, kind: 'echo', payload: { value: { i, xs: [i / 7, -i] } } })),
      { id: 'special', kind: 'echo', payload: { value: { min: Infinity, max: -Infinity, nan: NaN, z: -0, f: new Float64Array([0.1, -Infinity]), u: new Uint16Array([65535]) } } },
    ];
    const ex = await createExecutor({ mode: 'local', workers: 1 }, { servers: server.url, workers: 0 }, { runId: 'same-results' });
    expect(ex.name).toBe('nats');
    const viaNats = await collect(ex, jobs);
    await ex.close();
    const pool = new WorkerPoolExecutor({ size: 2 });
    const viaPool = await collect(pool, jobs);
    await pool.close();
    expect(viaNats.size).toBe(jobs.length);
    for (const j of jobs) {
      const n = viaNats.get(j.id) as Extract<JobOutcome, { ok: true }>;
      const p = viaPool.get(j.id) as Extract<JobOutcome, { ok: true }>;
      expect(n.ok && p.ok).toBe(true);
      expect(n.value).toEqual(p.value);
    }
    // Nothing lost on the wire: the special values come back as they went.
    expect((viaNats.get('special') as Extract<JobOutcome, { ok: true }>).value).toEqual((jobs.at(-1)?.payload as { value: unknown }).value);
    // Both processes took part.
    expect(new Set([...viaNats.values()].map((o) => o.worker))).toEqual(new Set(['wA', 'wB']));
  });

  it('a worker killed with SIGKILL mid-run: the run completes, no job lost or doubled', { timeout: 40_000 }, async () => {
    const log = join(tmp, 'kill.log');
    const jobs = Array.from({ length: 14 }, (_, i) => ({ id: `k${i}`, kind: 'logged', payload: { id: `k${i}`, log, sleep_ms: 250, value: `v${i}` } }));
    const ex = await NatsExecutor.connect(nats(server.url), { runId: 'sigkill' });
    const victim = workers[0];
    const victimPid = String(victim.proc.pid);
    let fromVictim = 0;
    // Kill the victim while it is inside a job (started, not ended), after it finished at least one.
    const watcher = setInterval(() => {
      if (fromVictim < 1) return;
      const { starts, ends } = executions(log);
      const running = jobs.some((j) => starts.get(j.id)?.includes(victimPid) && !ends.get(j.id)?.includes(victimPid));
      if (running) {
        victim.proc.kill('SIGKILL');
        clearInterval(watcher);
      }
    }, 20);
    const got = await collect(ex, jobs, (o) => {
      if (o.worker === victim.id) fromVictim++;
    });
    clearInterval(watcher);
    await ex.close();
    expect(await victim.exited).toBe(null);
    expect(got.size).toBe(jobs.length);
    for (const j of jobs) expect(got.get(j.id)).toMatchObject({ ok: true, value: (j.payload as { value: string }).value });
    const { starts, ends } = executions(log);
    // Every job ran to its end exactly once; the one the victim was running when killed started twice.
    for (const j of jobs) expect(ends.get(j.id)?.length, j.id).toBe(1);
    const interrupted = jobs.filter((j) => starts.get(j.id)?.includes(victimPid) && !ends.get(j.id)?.includes(victimPid));
    expect(interrupted.length).toBe(1);
    const redelivered = got.get(interrupted[0].id) as JobOutcome;
    expect(redelivered.worker).toBe('wB');
    expect(redelivered.attempts).toBe(2);
    workers[0] = await spawnWorker(server.url, 'wC', ['--concurrency', '1']);
  });

  it('a coordinator killed and restarted mid-run does not redo finished jobs', { timeout: 40_000 }, async () => {
    const log = join(tmp, 'restart.log');
    // Own prefix: only the coordinators' in-process workers serve this run, so work stops with it.
    const prefix = 'restart';
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'coordinator.ts'), server.url, prefix, log, '10', '300'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    const doneBefore = new Set<string>();
    for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
      doneBefore.add(line.replace(/^done /, ''));
      if (doneBefore.size === 3) {
        child.kill('SIGKILL');
        break;
      }
    }
    await exited;
    expect(doneBefore.size).toBe(3);
    const ex = await NatsExecutor.connect(nats(server.url, { stream_prefix: prefix, local_workers: 1 }), { runId: 'restart-test', preload: [fixtures] });
    const jobs = restartJobs(log, 10, 300);
    const got = await collect(ex, jobs);
    await ex.close();
    expect(got.size).toBe(10);
    for (let i = 0; i < 10; i++) expect(got.get(`r${i}`)).toMatchObject({ ok: true, value: i * i });
    const { ends } = executions(log);
    for (const j of jobs) expect(ends.get(j.id)?.length, j.id).toBe(1);
    // The jobs the first coordinator saw finish kept their first life's results.
    const first = `coordinator-${child.pid}`;
    for (const id of doneBefore) expect(got.get(id)?.worker).toBe(first);
    expect([...got.values()].some((o) => o.worker === `coordinator-${process.pid}`)).toBe(true);
  });

  it('a job that always throws is reported failed after max_deliver; the run ends with a clear error', { timeout: 40_000 }, async () => {
    const ex = await NatsExecutor.connect(nats(server.url, { max_deliver: 3 }), { runId: 'always-throws' });
    const jobs: Job[] = [
      { id: 'boom', kind: 'echo', payload: { fail: 'boom: disk on fire' } },
      { id: 'invalid', kind: 'checksum', payload: { seed: 'x', n: 1 } },
      { id: 'fine', kind: 'echo', payload: { value: 42 } },
    ];
    const err = await runJobs(ex, jobs).catch((e: unknown) => e);
    await ex.close();
    expect(isStitchgraphError(err, 'JobFailed')).toBe(true);
    const failures = (err as { details: { failures: { id: string; error: string }[] } }).details.failures;
    expect(failures.map((f) => f.id).sort()).toEqual(['boom', 'invalid']);
    expect(failures.find((f) => f.id === 'boom')?.error).toMatch(/Cannot run job boom \(echo\): failed on all 3 deliveries \(max_deliver 3\); last error: boom: disk on fire/);
    // Invalid input is not retried.
    expect(failures.find((f) => f.id === 'invalid')?.error).toMatch(/invalid input: not retried/);
    expect((err as Error).message).toMatch(/2 of 3 jobs failed/);
  });

  it('a job whose workers all die is reported failed after max_deliver (server advisory)', { timeout: 40_000 }, async () => {
    const prefix = 'deaths';
    const pair = await Promise.all([spawnWorker(server.url, 'wX', ['--prefix', prefix, '--concurrency', '1']), spawnWorker(server.url, 'wY', ['--prefix', prefix, '--concurrency', '1'])]);
    const ex = await NatsExecutor.connect(nats(server.url, { stream_prefix: prefix, max_deliver: 1, ack_wait_s: 1 }), { runId: 'deaths' });
    const jobs: Job[] = [{ id: 'fatal', kind: 'kill-process', payload: {} }, ...Array.from({ length: 3 }, (_, i) => ({ id: `ok${i}`, kind: 'echo', payload: { value: i, sleep_ms: 100 } }))];
    const got = await collect(ex, jobs);
    await ex.close();
    const dead = pair.filter((w) => w.proc.exitCode !== null || w.proc.signalCode !== null);
    expect(dead.length).toBe(1);
    expect(got.get('fatal')).toMatchObject({ ok: false, worker: 'coordinator' });
    expect((got.get('fatal') as Extract<JobOutcome, { ok: false }>).error).toMatch(/Cannot run job fatal \(kill-process\): no worker finished it in 1 deliveries/);
    for (let i = 0; i < 3; i++) expect(got.get(`ok${i}`)).toMatchObject({ ok: true, value: i });
    for (const w of pair) w.proc.kill('SIGKILL');
  });

  it('a worker drains on SIGTERM: its running job finishes and is acked, then it exits 0', { timeout: 40_000 }, async () => {
    const prefix = 'drain';
    const log = join(tmp, 'drain.log');
    const w = await spawnWorker(server.url, 'wD', ['--prefix', prefix, '--concurrency', '2']);
    const ex = await NatsExecutor.connect(nats(server.url, { stream_prefix: prefix }), { runId: 'drain' });
    const jobs = [{ id: 'long', kind: 'logged', payload: { id: 'long', log, sleep_ms: 1200, value: 'kept' } }];
    const watcher = setInterval(() => {
      if (executions(log).starts.has('long')) {
        w.proc.kill('SIGTERM');
        clearInterval(watcher);
      }
    }, 20);
    const got = await collect(ex, jobs);
    clearInterval(watcher);
    await ex.close();
    expect(await w.exited).toBe(0);
    expect(got.get('long')).toMatchObject({ ok: true, value: 'kept', worker: 'wD', attempts: 1 });
    expect(executions(log).ends.get('long')).toEqual([String(w.proc.pid)]);
  });

  it('a worker stopped while its server is gone still exits promptly (no endless reconnect)', { timeout: 40_000 }, async () => {
    const own = await startNatsServer();
    const w = await spawnWorker(own.url, 'wGone');
    await own.stop();
    w.proc.kill('SIGTERM');
    const t0 = Date.now();
    const code = await Promise.race([w.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
    if (code === 'still running') w.proc.kill('SIGKILL');
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a job longer than ack_wait is kept alive by working() and runs once', { timeout: 40_000 }, async () => {
    const log = join(tmp, 'long.log');
    const ex = await NatsExecutor.connect(nats(server.url, { stream_prefix: 'long', ack_wait_s: 1, local_workers: 2 }), { runId: 'long', preload: [fixtures] });
    const got = await collect(ex, [{ id: 'slow', kind: 'logged', payload: { id: 'slow', log, sleep_ms: 3000, value: 1 } }]);
    await ex.close();
    expect(got.get('slow')).toMatchObject({ ok: true, value: 1, attempts: 1 });
    expect(executions(log).starts.get('slow')?.length).toBe(1);
  });

  it('aborting the coordinator ends its run() promptly with the reason; the run stays for a restart', { timeout: 40_000 }, async () => {
    const ex = await NatsExecutor.connect(nats(server.url, { stream_prefix: 'nobody' }), { runId: 'abort' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user pressed Ctrl-C')), 300);
    const t0 = performance.now();
    const run = (async () => {
      for await (const o of ex.run([{ id: 'never', kind: 'echo', payload: { value: 1 } }], { signal: ac.signal })) void o;
    })();
    await expect(run).rejects.toThrow('user pressed Ctrl-C');
    expect(performance.now() - t0).toBeLessThan(3000);
    await ex.close();
  });

  it('an unreachable server fails with a clear error within connect_timeout_s', { timeout: 40_000 }, async () => {
    const port = await freePort();
    const t0 = performance.now();
    const err = await createExecutor(natsSettings({ servers: `nats://127.0.0.1:${port}`, connect_timeout_s: 2 })).catch((e: unknown) => e);
    // Bounded by connect_timeout_s (2 s), with slack for a loaded CI machine: no hang.
    expect(performance.now() - t0).toBeLessThan(6000);
    expect(isStitchgraphError(err, 'ExecutorError')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`Cannot connect to NATS at nats://127.0.0.1:${port}`));
    // A worker process says the same and exits non-zero.
    const w = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--servers', `nats://127.0.0.1:${port}`, '--connect-timeout', '1'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    w.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => w.once('exit', r));
    expect(code).toBe(1);
    expect(stderr).toMatch(/stitchgraph: Cannot connect to NATS/);
  });

  it('authenticates with user/password or a token; wrong credentials fail clearly and fast', { timeout: 40_000 }, async () => {
    const secured = await startNatsServer(['--user', 'sg', '--pass', 's3cret']);
    const tokened = await startNatsServer(['--auth', 'tok3n']);
    try {
      const ok = await NatsExecutor.connect(nats(secured.url, { user: 'sg', pass: 's3cret', local_workers: 1 }), { runId: 'auth' });
      const got = await collect(ok, [{ id: 'x', kind: 'echo', payload: { value: 'through auth' } }]);
      await ok.close();
      expect(got.get('x')).toMatchObject({ ok: true, value: 'through auth' });
      const t0 = performance.now();
      const bad = await NatsExecutor.connect(nats(secured.url, { user: 'sg', pass: 'wrong', connect_timeout_s: 3 })).catch((e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(7000);
      expect((bad as Error).message).toMatch(/Cannot connect to NATS at .*(Authorization|auth)/i);
      const tok = await NatsExecutor.connect(nats(tokened.url, { token: 'tok3n' }));
      await tok.close();
      const noTok = await NatsExecutor.connect(nats(tokened.url, { connect_timeout_s: 3 })).catch((e: unknown) => e);
      expect(isStitchgraphError(noTok, 'ExecutorError')).toBe(true);
    } finally {
      await secured.stop();
      await tokened.stop();
    }
  });
});

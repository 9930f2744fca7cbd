/**
 * Fault injection on NATS dispatch: a killed coordinator whose rerun sends only its missing jobs,
 * runs left behind and `stitchgraph nats runs|clean`, a nats-server restart with its store. Each
 * test compares the results with an undisturbed run's and counts executions from the jobs' own log.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNatsServer, type NatsTestServer } from './nats-server.js';
import { spawnWorker, type WorkerProc } from './_spawn-worker.js';
import { NatsExecutor } from '../../src/distributed/nats-executor.js';
import { connectNats } from '../../src/distributed/nats-connect.js';
import { listNatsRuns } from '../../src/distributed/list-nats-runs.js';
import { natsSettings } from '../../src/campaign/sections/distributed.js';
import type { JobOutcome } from '../../src/distributed/executor.js';
import { restartJobs } from './fixtures/restart-jobs.js';
import { runCli } from '../helpers/run-cli.js';

const root = resolve(import.meta.dirname, '..', '..');
const coordinatorFixture = join(import.meta.dirname, 'fixtures', 'resuming-coordinator.ts');

/** Runs of each job id (starts and ends), from the `logged` kind's log. */
function executions(log: string): { starts: Map<string, number>; ends: Map<string, number> } {
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  for (const line of (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter(Boolean)) {
    const [what, id] = line.split(' ');
    const m = what === 'start' ? starts : ends;
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return { starts, ends };
}

/** Start the fixture coordinator and SIGKILL it once `after` jobs are reported done; the ids it saw. */
async function killCoordinatorAfter(url: string, prefix: string, log: string, n: number, after: number): Promise<Set<string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', coordinatorFixture, url, prefix, log, String(n), '300'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  const seen = new Set<string>();
  if (after === 0) {
    // Kill it once its jobs are on the server.
    const session = await connectNats(natsSettings({ servers: url }), 'test');
    while ((await listNatsRuns(session, { prefix }))[0]?.queued !== n) await sleep(100);
    await session.nc.close();
    child.kill('SIGKILL');
  } else {
    for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
      seen.add(line.replace(/^done /, ''));
      if (seen.size === after) {
        child.kill('SIGKILL');
        break;
      }
    }
  }
  await exited;
  return seen;
}

const undisturbed = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`r${i}`, i * i]));

describe('NATS faults: coordinator kill, runs left behind, server restart', () => {
  let server: NatsTestServer;
  const stopLater: WorkerProc[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'sg-nats-faults-'));

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    for (const w of stopLater) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await server?.stop();
  });

  it('kill -9 of the coordinator, rerun with only the missing jobs: it adopts its run, no job runs twice, nothing left on the server', { timeout: 60_000 }, async () => {
    const prefix = 'adopt';
    const log = join(tmp, 'adopt.log');
    const worker = await spawnWorker(server.url, 'wAdopt', ['--concurrency', '1', '--prefix', prefix]);
    stopLater.push(worker);
    const before = await killCoordinatorAfter(server.url, prefix, log, 10, 3);
    // The worker keeps serving the orphaned run meanwhile; the rerun (as a stage resuming from its
    // own file) sends only the jobs it has no result for: a smaller batch, the same work.
    const ex = await NatsExecutor.connect(natsSettings({ servers: server.url, stream_prefix: prefix, ack_wait_s: 2 }), { runId: 'adopt-test' });
    const missing = restartJobs(log, 10, 300).filter((j) => !before.has(j.id));
    const got = new Map<string, unknown>();
    for await (const o of ex.run(missing, { work: `adopt ${log} 10` })) got.set(o.id, (o as Extract<JobOutcome, { ok: true }>).value);
    for (const id of before) got.set(id, undisturbed(10).get(id));
    expect(got).toEqual(undisturbed(10));
    const { starts, ends } = executions(log);
    for (let i = 0; i < 10; i++) {
      expect(starts.get(`r${i}`), `r${i} started`).toBe(1);
      expect(ends.get(`r${i}`), `r${i} ended`).toBe(1);
    }
    // Finished: no stream, results bucket or runs entry left.
    expect(await listNatsRuns((ex as unknown as { session: Parameters<typeof listNatsRuns>[0] }).session, { prefix })).toEqual([]);
    await ex.close();
    worker.proc.kill('SIGTERM');
    await worker.exited;
  });

  it('an abandoned run shows in `nats runs` and `nats clean` removes its stream, bucket and entry; active runs stay', { timeout: 60_000 }, async () => {
    const prefix = 'abandon';
    // No worker on this prefix: the killed coordinator leaves queued jobs behind.
    await killCoordinatorAfter(server.url, prefix, join(tmp, 'abandon.log'), 4, 0);
    await sleep(1500);
    const listed = await runCli(['nats', 'runs', '--servers', server.url, '--prefix', prefix, '--stale-after', '1', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const runs = JSON.parse(listed.stdout) as { runId: string; state: string; queued: number; stage: string }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ state: 'abandoned', queued: 4, stage: 'adopt-test' });
    // With the default staleness (120 s) it still counts as active and is kept.
    const keep = await runCli(['nats', 'clean', '--servers', server.url, '--prefix', prefix]);
    expect(keep.stdout).toContain('removed 0 run(s)');
    const cleaned = await runCli(['nats', 'clean', '--servers', server.url, '--prefix', prefix, '--stale-after', '1']);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain(`removed 1 run(s): ${runs[0].runId} (abandoned)`);
    const session = await connectNats(natsSettings({ servers: server.url }), 'test');
    const names: string[] = [];
    for await (const si of session.jsm.streams.list()) names.push(si.config.name);
    await session.nc.close();
    expect(names.filter((n) => n.includes(runs[0].runId))).toEqual([]);
    const after = await runCli(['nats', 'runs', '--servers', server.url, '--prefix', prefix]);
    expect(after.stdout.trim()).toBe('no runs');
  });

  it('a nats-server restart with its store mid-run: the run completes with the same results, at most the job in flight runs again', { timeout: 90_000 }, async () => {
    const prefix = 'restart';
    const log = join(tmp, 'server-restart.log');
    const own = await startNatsServer();
    const worker = await spawnWorker(own.url, 'wRestart', ['--concurrency', '1', '--prefix', prefix]);
    stopLater.push(worker);
    const ex = await NatsExecutor.connect(natsSettings({ servers: own.url, stream_prefix: prefix, ack_wait_s: 2, retry_delay_s: 0.2 }), { runId: 'server-restart' });
    const got = new Map<string, unknown>();
    let restarted: Promise<NatsTestServer> | undefined;
    for await (const o of ex.run(restartJobs(log, 8, 300))) {
      expect(o.ok, JSON.stringify(o)).toBe(true);
      got.set(o.id, (o as Extract<JobOutcome, { ok: true }>).value);
      if (got.size === 2 && !restarted) restarted = own.halt().then(() => startNatsServer([], { port: own.port, storeDir: own.storeDir }));
    }
    expect(got).toEqual(undisturbed(8));
    const { ends } = executions(log);
    const reruns = [...ends.values()].reduce((s, k) => s + k - 1, 0);
    // One job at a time on the worker: at most that one ran again.
    expect(reruns).toBeLessThanOrEqual(1);
    await ex.close();
    worker.proc.kill('SIGTERM');
    await worker.exited;
    await (await restarted)?.stop();
  });
});

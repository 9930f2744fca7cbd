/**
 * `analyze` with its block jobs on a separate worker process, through a private nats-server, so
 * that the coordinator's peak RSS is its own (with `--workers N` locally the workers are threads of
 * the same process and /usr/bin/time counts them together). As a cluster user runs it:
 *
 *   nats-server -js -p PORT -sd TMP
 *   stitchgraph worker campaign.yaml --servers nats://127.0.0.1:PORT --concurrency 2
 *   /usr/bin/time -v stitchgraph analyze campaign.yaml --servers nats://127.0.0.1:PORT --workers 0 --out DIR
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stopChild, track } from './_children.js';
import { timedStep, type Measured } from './_timed-step.js';

export interface CoordinatorRun {
  coordinator: Measured;
  worker_peak_rss_mb: number;
  /** User + system CPU of the worker process (all its threads). */
  worker_cpu_s: number;
}

/** Peak RSS and CPU of a live process of ours, from /proc (fields 14-15 of stat are in clock ticks). */
function processFigures(pid: number): { peak_rss_mb: number; cpu_s: number } {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return { peak_rss_mb: Number(hwm?.[1] ?? NaN) / 1024, cpu_s: (Number(fields[11]) + Number(fields[12])) / ticks };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Start a child and wait until `ready` matches its stdout+stderr. */
function startUntil(cmd: string, args: string[], cwd: string, ready: RegExp, what: string): Promise<ChildProcess> {
  const child = track(spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`stage analyze-coordinator failed: ${what} not ready within 60 s\n${log}`)), 60_000);
    const onData = (b: Buffer): void => {
      log = (log + b.toString()).slice(-8000);
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => reject(new Error(`stage analyze-coordinator failed: cannot start ${what}: ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`stage analyze-coordinator failed: ${what} exited (${code})\n${log}`)));
  });
}

/** Run the analysis coordinator alone, its blocks on one worker process of `concurrency` threads. */
export async function analyzeOnNats(cli: string[], config: string, outDir: string, cwd: string, concurrency: number): Promise<CoordinatorRun> {
  const storeDir = mkdtempSync(join(outDir, '..', 'nats-store-'));
  const port = await freePort();
  const servers = `nats://127.0.0.1:${port}`;
  const started: ChildProcess[] = [];
  try {
    started.push(await startUntil('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], cwd, /Server is ready/, 'nats-server'));
    const worker = await startUntil(cli[0], [...cli.slice(1), 'worker', config, '--servers', servers, '--concurrency', String(concurrency)], cwd, /"msg":"[^"]*(ready|listening|started|waiting)/i, 'stitchgraph worker');
    started.push(worker);
    const coordinator = await timedStep('analyze-coordinator', [...cli, 'analyze', config, '--servers', servers, '--workers', '0', '--out', outDir], cwd);
    const w = processFigures(worker.pid as number);
    return { coordinator, worker_peak_rss_mb: w.peak_rss_mb, worker_cpu_s: w.cpu_s };
  } finally {
    for (const c of started.reverse()) await stopChild(c);
    rmSync(storeDir, { recursive: true, force: true });
  }
}

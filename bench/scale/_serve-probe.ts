/**
 * `stitchgraph serve` as a viewer meets it: a fresh server per chunk kind, the chunk asked for
 * twice (cold, then warm), the server's resident memory before and its peak after. Only the HTTP
 * interface is used (/api/info and /zarr/<level>/<z>/<y>/<x>), so changes inside serve do not
 * break this probe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stopChild, track } from './_children.js';

export interface ChunkTiming {
  kind: 'coarsest' | 'full';
  path: string;
  cold_ms: number;
  warm_ms: number;
  bytes: number;
  rss_idle_mb: number;
  rss_peak_mb: number;
}

interface Info {
  shape: number[];
  chunk: number[];
  levels: { shape: number[] }[];
}

const memMb = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function startServe(argv: string[], cwd: string): Promise<{ child: ChildProcess; url: string }> {
  const child = track(spawn(argv[0], [...argv.slice(1), '--port', '0', '--log-level', 'warn'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/\S+?)\/?\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`stage serve failed: the server exited (${code}) before serving\n${err}`)));
  });
  return { child, url };
}

async function timedGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const r = await fetch(url);
  const bytes = (await r.arrayBuffer()).byteLength;
  if (r.status !== 200) throw new Error(`stage serve failed: GET ${url} answered HTTP ${r.status}`);
  return { ms: performance.now() - t0, bytes };
}

function chunkPath(info: Info, kind: ChunkTiming['kind']): string {
  if (kind === 'coarsest') return `/zarr/${info.levels.length - 1}/0/0/0`;
  const centre = info.levels[0].shape.map((s, a) => Math.floor(s / 2 / info.chunk[a]));
  return `/zarr/0/${centre.join('/')}`;
}

/** One fresh server: ask for the chunk of `kind` cold and warm. */
async function probeOne(serveArgv: string[], cwd: string, kind: ChunkTiming['kind']): Promise<{ timing: ChunkTiming; info: Info }> {
  const { child, url } = await startServe(serveArgv, cwd);
  try {
    const info = (await (await fetch(`${url}/api/info`)).json()) as Info;
    const pid = child.pid as number;
    const rss_idle_mb = memMb(pid, 'VmRSS');
    const path = chunkPath(info, kind);
    const cold = await timedGet(url + path);
    const warm = await timedGet(url + path);
    return { info, timing: { kind, path, cold_ms: cold.ms, warm_ms: warm.ms, bytes: cold.bytes, rss_idle_mb, rss_peak_mb: memMb(pid, 'VmHWM') } };
  } finally {
    await stopChild(child);
  }
}

/** Coarsest-level chunk (0,0,0) and full-resolution centre chunk, each on a fresh server. */
export async function probeServe(serveArgv: string[], cwd: string): Promise<{ shape: number[]; levels: number; chunks: ChunkTiming[] }> {
  const coarse = await probeOne(serveArgv, cwd, 'coarsest');
  const full = await probeOne(serveArgv, cwd, 'full');
  return { shape: coarse.info.shape, levels: coarse.info.levels.length, chunks: [coarse.timing, full.timing] };
}

// Serve latency and server memory for one chunk of the coarsest level and one of full resolution
// (issue #14: the coarse one must not grow with the campaign).
// Run: npx tsx bench/view/bench-serve.ts campaign.yaml [--chunk 64,128,128]
// Starts `stitchgraph serve` (the built CLI, dist/: run `npm run build` first) as a child process
// on a free port, asks for /zarr/<coarsest>/0/0/0 and then for the full-resolution chunk at the
// centre of the volume, each cold (a fresh server), and prints the latency and the server's peak
// RSS (VmHWM) after each request. Build tile pyramids first (`stitchgraph pyramid`) to measure
// coarse chunks composed from them.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { chunk: { type: 'string' } } });
const [config] = positionals;
if (!config) throw new Error('usage: npx tsx bench/view/bench-serve.ts campaign.yaml [--chunk z,y,x]');
const cli = join(import.meta.dirname, '../../dist/cli/main.js');

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const args = [cli, 'serve', config, '--port', '0', '--log-level', 'warn', ...(values.chunk ? ['--chunk', values.chunk] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /(http:\/\/\S+?)\/?\n/.exec(text);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { child, url };
}

const peakRssMiB = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

async function measure(label: string, pick: (info: Info) => string): Promise<void> {
  const { child, url } = await startServer();
  try {
    const info = (await (await fetch(`${url}/api/info`)).json()) as Info;
    const idle = peakRssMiB(child.pid as number);
    const path = pick(info);
    const t0 = performance.now();
    const r = await fetch(`${url}${path}`);
    const bytes = (await r.arrayBuffer()).byteLength;
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
    process.stdout.write(`| ${label} | ${path} | ${ms.toFixed(0)} | ${idle.toFixed(0)} | ${peakRssMiB(child.pid as number).toFixed(0)} | ${bytes} |\n`);
  } finally {
    child.kill();
  }
}

interface Info {
  shape: number[];
  chunk: number[];
  levels: { lo: number[]; shape: number[] }[];
}

process.stdout.write('| chunk | path | cold latency (ms) | server RSS before (MiB) | server peak RSS after (MiB) | bytes |\n|---|---|---|---|---|---|\n');
await measure('coarsest level', (i) => `/zarr/${i.levels.length - 1}/0/0/0`);
await measure('full resolution (centre)', (i) => `/zarr/0/${i.levels[0].shape.map((s, a) => Math.floor(s / 2 / i.chunk[a])).join('/')}`);

/**
 * stitchgraph against zarr-python reading regions of a uint16 tile (Zarr v2 written by
 * zarr-python: blosc-zstd with byte shuffle, blosc-zstd with bit shuffle, and zlib), each as a
 * user runs it:
 *   - stitchgraph: `readRegion` with its defaults (decode pool of one worker thread per core, at
 *     most 8, plus the main thread), no decoded-chunk cache;
 *   - zarr-python (/usr/bin/python3): `arr[sel]`, numcodecs' blosc left as it is (from the main
 *     thread it splits each chunk over get_nthreads() threads = all cores; printed).
 * Rows: the whole tile, a sub-region, and the whole tile read again and again into one array
 * (stitchgraph's `into`, zarr-python's `out=`). For each row the two tools alternate `--rounds`
 * times (REPEATS timed reads each after a warm-up read), so that a change in the machine's load
 * hits both. Per row: MB/s of wall time (decoded region bytes / median seconds) and CPU time per
 * read of the whole process (all threads: our decode workers, blosc's threads), median; the ratios
 * are ours / zarr-python's speed (> 1: stitchgraph faster or cheaper), and "cores busy" is CPU / wall
 * of each. On a loaded machine only the CPU columns mean much: a tool that needs two cores for its
 * wall figure loses more of it to other processes than one that uses one.
 *
 *   npx tsx bench/zarr-read/bench-zarr-read.ts [--shape 128,512,512] [--repeats 5] [--rounds 2] [--extra]
 *
 * --extra adds stitchgraph on the main thread only (STITCHGRAPH_DECODE_THREADS=0), the decode pool
 * with numcodecs.js' blosc (STITCHGRAPH_DECODER=numcodecs) and raw chunk-file reading.
 * Data is made once by make_data.py under bench/out/zarr-read (git-ignored). Both tools run with
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1, as the `stitchgraph` launcher starts the CLI (numpy asks
 * for huge pages for its arrays by itself; Node cannot, and a fresh 64 MiB region otherwise costs
 * ~16,000 page faults).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { openTileArray, openFileStore, type TileArray } from '../../src/zarrio/tile-array.js';
import { configureDecodePool, defaultDecodeThreads } from '../../src/zarrio/decode-pool.js';
import { allocTyped } from '../../src/zarrio/dtypes.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';
import { rerunWithHugePages } from '../_huge-pages.js';

// Both tools under the allocator setting of the stitchgraph launcher (see bench/_huge-pages.ts).
rerunWithHugePages();

const HERE = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const shape = opt('shape', '128,512,512').split(',').map(Number) as Vec3;
const repeats = Number(opt('repeats', '5'));
const rounds = Number(opt('rounds', '2'));
const extra = args.includes('--extra');
const OUT = join(HERE, '../out/zarr-read', shape.join('x'));
const PY = '/usr/bin/python3';

const ARRAYS = ['blosc_zstd', 'blosc_zstd_bitshuffle', 'zlib'];
if (!ARRAYS.every((a) => existsSync(join(OUT, a, '.zarray')))) {
  console.log(`making bench data in ${OUT} (zarr-python) ...`);
  execFileSync(PY, [join(HERE, 'make_data.py'), OUT, ...shape.map(String)], { stdio: 'inherit' });
}

interface Timings {
  wall: number[];
  cpu: number[];
}
interface PyResult {
  seconds: number[];
  cpu_seconds: number[];
  checksum: number;
  zarr: string;
  numcodecs: string;
  blosc_threads: number | null;
  use_threads: boolean | null;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (bytes: number, s: number): number => bytes / 1e6 / s;
const sum = (data: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
};

/** Wall and CPU seconds (this process, all threads) of REPEATS calls after one warm-up call. */
async function timeIt(fn: () => Promise<unknown>): Promise<Timings> {
  await fn(); // warm: codec set-up, workers started, OS page cache
  const t: Timings = { wall: [], cpu: [] };
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    t.wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    t.cpu.push((c.user + c.system) / 1e6);
  }
  return t;
}

function zarrPython(name: string, box: Box3, into: boolean): PyResult {
  const pyArgs = [join(HERE, 'zarr_python_read.py'), OUT, name, box.start.join(','), box.size.join(','), String(repeats), ...(into ? ['out'] : [])];
  return JSON.parse(execFileSync(PY, pyArgs, { encoding: 'utf8' })) as PyResult;
}

/** Chunk files a box touches: what raw reading and both libraries fetch. */
function chunkFiles(tile: TileArray, name: string, box: Box3): string[] {
  const files: string[] = [];
  const range = (a: number): number[] => {
    const out: number[] = [];
    for (let c = Math.floor(box.start[a] / tile.chunks[a]); c * tile.chunks[a] < box.start[a] + box.size[a]; c++) out.push(c);
    return out;
  };
  for (const z of range(0)) for (const y of range(1)) for (const x of range(2)) files.push(join(OUT, name, `${z}.${y}.${x}`));
  return files;
}

/** The --extra columns: main thread only, numcodecs.js blosc in the pool ("before"), raw file reads. */
async function extraColumns(tile: TileArray, name: string, box: Box3, bytes: number, threads: number): Promise<string[]> {
  configureDecodePool(0);
  const inline = await timeIt(() => tile.readRegion(box));
  let before = '–';
  if (name.startsWith('blosc')) {
    // Fresh workers copy the environment when they start.
    process.env.STITCHGRAPH_DECODER = 'numcodecs';
    configureDecodePool(threads);
    before = mbps(bytes, median((await timeIt(() => tile.readRegion(box))).wall)).toFixed(0);
    delete process.env.STITCHGRAPH_DECODER;
  }
  configureDecodePool(threads);
  const files = chunkFiles(tile, name, box);
  const raw = await timeIt(() => Promise.all(files.map((f) => readFile(f))));
  return [mbps(bytes, median(inline.wall)).toFixed(0), before, mbps(bytes, median(raw.wall)).toFixed(0)];
}

const regions: [string, Box3, boolean][] = [
  ['whole tile', { start: [0, 0, 0], size: shape }, false],
  ['sub-region', { start: [Math.floor(shape[0] / 4), 100, 100], size: [Math.floor(shape[0] / 2), Math.min(300, shape[1] - 100), Math.min(300, shape[2] - 100)] }, false],
  ['whole tile into one array', { start: [0, 0, 0], size: shape }, true],
];

async function benchRow(name: string, label: string, box: Box3, into: boolean, threads: number): Promise<string> {
  const tile = await openTileArray(openFileStore(OUT), name, '', { cache: null });
  const bytes = box.size[0] * box.size[1] * box.size[2] * 2;
  const target = into ? allocTyped(tile.dtype, box.size[0] * box.size[1] * box.size[2]) : undefined;
  configureDecodePool(threads);
  const ours = sum((await tile.readRegion(box, { into: target })).data);
  const mine: Timings = { wall: [], cpu: [] };
  const theirs: Timings = { wall: [], cpu: [] };
  for (let r = 0; r < rounds; r++) {
    const t = await timeIt(() => tile.readRegion(box, { into: target }));
    mine.wall.push(...t.wall);
    mine.cpu.push(...t.cpu);
    const py = zarrPython(name, box, into);
    if (py.checksum !== ours) throw new Error(`checksums differ: stitchgraph ${ours}, zarr-python ${py.checksum}`);
    theirs.wall.push(...py.seconds);
    theirs.cpu.push(...py.cpu_seconds);
  }
  const [a, p] = [mbps(bytes, median(mine.wall)), mbps(bytes, median(theirs.wall))];
  const [ca, cp] = [median(mine.cpu) * 1000, median(theirs.cpu) * 1000];
  // Cores kept busy on average (CPU / wall): how much each tool leans on parallelism.
  const busy = `${(median(mine.cpu) / median(mine.wall)).toFixed(1)} / ${(median(theirs.cpu) / median(theirs.wall)).toFixed(1)}`;
  const cols = [name, `${label} [${box.start}]+[${box.size}]`, (bytes / 1e6).toFixed(1), a.toFixed(0), p.toFixed(0), `${(a / p).toFixed(2)}×`, ca.toFixed(1), cp.toFixed(1), `${(cp / ca).toFixed(2)}×`, busy];
  if (extra) cols.push(...(into ? ['', '', ''] : await extraColumns(tile, name, box, bytes, threads)));
  return `| ${cols.join(' | ')} |`;
}

const threads = defaultDecodeThreads({});
const peer = zarrPython(ARRAYS[0], { start: [0, 0, 0], size: [1, 1, 1] }, false);
console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; zarr-read bench: uint16 tile ${shape.join('×')}, chunks 64×128×128 (Zarr v2, zarr-python), median of ${rounds}×${repeats} reads alternating; node ${process.version}, ${cpus().length} CPUs`);
console.log(`threads: stitchgraph main thread + ${threads} decode workers; zarr-python ${peer.zarr} / numcodecs ${peer.numcodecs}, blosc threads ${peer.blosc_threads} (use_threads ${String(peer.use_threads)})`);
const head = ['array', 'region', 'MB decoded', 'stitchgraph MB/s (wall)', 'zarr-python MB/s (wall)', 'wall ratio', 'stitchgraph CPU ms/read (all threads)', 'zarr-python CPU ms/read (all threads)', 'CPU ratio', 'cores busy (CPU / wall): stitchgraph / zarr-python'];
if (extra) head.push('stitchgraph MB/s, main thread only', 'before: numcodecs.js blosc, decode pool', 'raw compressed bytes MB/s (decoded-equivalent)');
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const name of ARRAYS) for (const [label, box, into] of regions) console.log(await benchRow(name, label, box, into, threads));
console.log(`load average at the end ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
process.exit(0);

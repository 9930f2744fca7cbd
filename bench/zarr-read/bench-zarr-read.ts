/**
 * Decoded MB/s for region reads of a uint16 tile (Zarr v2 written by zarr-python: blosc-zstd
 * with byte shuffle, blosc-zstd with bit shuffle, and zlib), side by side in one run with
 *   - stitchgraph's default (decode pool: one worker thread per core, blosc through the
 *     TypeScript frame decoder), main thread only (STITCHGRAPH_DECODE_THREADS=0), and the
 *     decode pool with numcodecs.js' wasm blosc (STITCHGRAPH_DECODER=numcodecs: the "before"),
 *   - raw: reading the same chunk files' compressed bytes from disk (no decoding), and
 *   - zarr-python (/usr/bin/python3) reading the same region (its blosc uses every core).
 * MB/s is always region bytes (decoded, 2 bytes per voxel) / seconds, median of REPEATS.
 *
 *   npx tsx bench/zarr-read/bench-zarr-read.ts [--shape 128,512,512] [--repeats 5]
 *
 * Data is made once by make_data.py under bench/out/zarr-read (git-ignored).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import { configureDecodePool, defaultDecodeThreads } from '../../src/zarrio/decode-pool.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const shape = opt('shape', '128,512,512').split(',').map(Number) as Vec3;
const repeats = Number(opt('repeats', '5'));
const OUT = join(HERE, '../out/zarr-read', shape.join('x'));
const PY = '/usr/bin/python3';

const ARRAYS = ['blosc_zstd', 'blosc_zstd_bitshuffle', 'zlib'];
if (!ARRAYS.every((a) => existsSync(join(OUT, a, '.zarray')))) {
  console.log(`making bench data in ${OUT} (zarr-python) ...`);
  execFileSync(PY, [join(HERE, 'make_data.py'), OUT, ...shape.map(String)], { stdio: 'inherit' });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbps = (bytes: number, s: number) => bytes / 1e6 / s;

async function timeIt(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm: codec set-up, OS page cache
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  return t;
}

const regions: [string, Box3][] = [
  ['whole tile', { start: [0, 0, 0], size: shape }],
  ['sub-region', { start: [Math.floor(shape[0] / 4), 100, 100], size: [Math.floor(shape[0] / 2), Math.min(300, shape[1] - 100), Math.min(300, shape[2] - 100)] }],
];

console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; zarr-read bench: uint16 tile ${shape.join('×')}, chunks 64×128×128 (Zarr v2, zarr-python), median of ${repeats}; node ${process.version}, ${cpus().length} CPUs, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}`);
const threads = defaultDecodeThreads({});
console.log(`| array | region | MB decoded | stitchgraph MB/s (default: decode pool, ${threads} threads) | stitchgraph MB/s (main thread only) | before: numcodecs.js blosc, decode pool | raw compressed bytes MB/s (decoded-equivalent) | zarr-python MB/s | stitchgraph default / zarr-python |`);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const name of ARRAYS) {
  const store = openFileStore(OUT);
  const tile = await openTileArray(store, name, '', { cache: null });
  for (const [label, box] of regions) {
    const bytes = box.size[0] * box.size[1] * box.size[2] * 2;
    // Chunk files the region touches: what raw reading and both libraries fetch.
    const files: string[] = [];
    for (let z = Math.floor(box.start[0] / tile.chunks[0]); z * tile.chunks[0] < box.start[0] + box.size[0]; z++)
      for (let y = Math.floor(box.start[1] / tile.chunks[1]); y * tile.chunks[1] < box.start[1] + box.size[1]; y++)
        for (let x = Math.floor(box.start[2] / tile.chunks[2]); x * tile.chunks[2] < box.start[2] + box.size[2]; x++) files.push(join(OUT, name, `${z}.${y}.${x}`));
    configureDecodePool(threads);
    const check = await tile.readRegion(box);
    let ours = 0;
    for (let i = 0; i < check.data.length; i++) ours += check.data[i];
    const tOurs = await timeIt(() => tile.readRegion(box));
    configureDecodePool(0);
    const tInline = await timeIt(() => tile.readRegion(box));
    let before = '–';
    if (name.startsWith('blosc')) {
      // Fresh workers copy the environment when they start.
      process.env.STITCHGRAPH_DECODER = 'numcodecs';
      configureDecodePool(threads);
      before = mbps(bytes, median(await timeIt(() => tile.readRegion(box)))).toFixed(0);
      delete process.env.STITCHGRAPH_DECODER;
      configureDecodePool(0);
    }
    const tRaw = await timeIt(() => Promise.all(files.map((f) => readFile(f))));
    const py = JSON.parse(execFileSync(PY, [join(HERE, 'zarr_python_read.py'), OUT, name, box.start.join(','), box.size.join(','), String(repeats)], { encoding: 'utf8' })) as { seconds: number[]; checksum: number };
    if (py.checksum !== ours) throw new Error(`checksums differ: stitchgraph ${ours}, zarr-python ${py.checksum}`);
    const [a, i1, r, p] = [mbps(bytes, median(tOurs)), mbps(bytes, median(tInline)), mbps(bytes, median(tRaw)), mbps(bytes, median(py.seconds))];
    console.log(`| ${name} | ${label} [${box.start}]+[${box.size}] | ${(bytes / 1e6).toFixed(1)} | ${a.toFixed(0)} | ${i1.toFixed(0)} | ${before} | ${r.toFixed(0)} | ${p.toFixed(0)} | ${(a / p).toFixed(2)}× |`);
  }
}
console.log(`load average at the end ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
process.exit(0);

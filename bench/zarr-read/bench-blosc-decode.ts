/**
 * Decode-only, one core: the 32 chunks of each bench array (written by zarr-python) decoded one
 * after another on the main thread by stitchgraph's decoders (fast-blosc / fast-zstd) and by
 * numcodecs.js' wasm codecs, interleaved in one run; ms per pass, median of REPEATS. No file
 * reading, no region assembly, no worker threads: the per-core cost of decoding alone.
 *
 *   npx tsx bench/zarr-read/bench-blosc-decode.ts [--repeats 5]
 *
 * Needs the data of bench-zarr-read.ts (run that first).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import Blosc from 'numcodecs/blosc';
import { loadFastBlosc } from '../../src/zarrio/fast-blosc.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const i = args.indexOf('--repeats');
const repeats = i >= 0 ? Number(args[i + 1]) : 5;
const OUT = join(HERE, '../out/zarr-read/128x512x512');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const fast = await loadFastBlosc();
const wasm = Blosc.fromConfig({ cname: 'zstd', clevel: 5, shuffle: 1 });
console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; decode-only, main thread, median of ${repeats}`);
console.log('| array | chunks | MB decoded | stitchgraph fast-blosc ms | numcodecs.js blosc ms | speed-up |');
console.log('|---|---|---|---|---|---|');
for (const name of ['blosc_zstd', 'blosc_zstd_bitshuffle']) {
  const dir = join(OUT, name);
  if (!existsSync(dir)) throw new Error(`Cannot run: no bench data in ${dir} (run bench-zarr-read.ts first)`);
  const chunks = readdirSync(dir)
    .filter((f) => /^\d/.test(f))
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
  let bytes = 0;
  for (const c of chunks) bytes += (fast(c) as Uint8Array).length; // warm, and the size
  await wasm.decode(chunks[0]);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    for (const c of chunks) fast(c);
    a.push(performance.now() - t0);
    t0 = performance.now();
    for (const c of chunks) await wasm.decode(c);
    b.push(performance.now() - t0);
  }
  console.log(`| ${name} | ${chunks.length} | ${(bytes / 1e6).toFixed(1)} | ${median(a).toFixed(0)} | ${median(b).toFixed(0)} | ${(median(b) / median(a)).toFixed(2)}× |`);
}

/**
 * A/B of two builds of the zstd/blosc WebAssembly module (scripts/build-zstd-wasm.sh): the 32
 * chunks of each bench array decoded by build A, then by build B, then B, then A, ... many rounds
 * in one process, so that load from other processes falls on both alike. Prints the median ms per
 * pass of each build and B/A as the median of the per-round ratios (< 1: B is faster). Also the
 * zstd streams inside the blosc_zstd chunks decoded one by one (no unshuffle), and once, native
 * c-blosc (Debian's numcodecs, one thread) on the same files for reference.
 *
 *   npx tsx bench/zarr-read/ab-zstd-build.ts CANDIDATE.wasm [--base OTHER.wasm] [--rounds 40] [--no-native]
 *
 * Without --base, A is the committed module (src/zarrio/zstd-wasm.wasm.ts). Both builds must
 * decode every chunk to the same bytes. Needs the data of bench-zarr-read.ts.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, basename } from 'node:path';
import { loadavg } from 'node:os';
import { ZstdWasm } from '../../src/zarrio/zstd-wasm.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(HERE, '../out/zarr-read/128x512x512');
const ARRAYS = ['blosc_zstd', 'blosc_zstd_bitshuffle'];
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const candidate = args[0];
if (!candidate || candidate.startsWith('--')) throw new Error('Cannot run: give the candidate .wasm as the first argument');
const basePath = opt('--base');
const rounds = Number(opt('--rounds') ?? 40);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const a = basePath ? new ZstdWasm(new Uint8Array(readFileSync(basePath))) : new ZstdWasm();
const b = new ZstdWasm(new Uint8Array(readFileSync(candidate)));
const labelA = basePath ? basename(basePath) : 'committed';
const labelB = basename(candidate);

const chunksOf = (name: string): Uint8Array[] => {
  const dir = join(OUT, name);
  if (!existsSync(dir)) throw new Error(`Cannot run: no bench data in ${dir} (run bench-zarr-read.ts first)`);
  return readdirSync(dir)
    .filter((f) => /^\d/.test(f))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
};

/** The zstd streams of a blosc frame with their decoded sizes (stored-raw streams left out). */
function streamsOf(frame: Uint8Array): { src: Uint8Array; size: number }[] {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const typesize = frame[3], flags = frame[2];
  const nbytes = dv.getInt32(4, true), blocksize = dv.getInt32(8, true);
  const nblocks = Math.ceil(nbytes / blocksize);
  const out: { src: Uint8Array; size: number }[] = [];
  for (let j = 0; j < nblocks; j++) {
    const bsize = j === nblocks - 1 && nbytes % blocksize ? nbytes % blocksize : blocksize;
    const nsplits = !(flags & 0x10) && typesize <= 16 && bsize / typesize >= 128 && bsize === blocksize ? typesize : 1;
    let off = dv.getInt32(16 + 4 * j, true);
    for (let s = 0; s < nsplits; s++) {
      const cb = dv.getInt32(off, true);
      off += 4;
      if (cb !== bsize / nsplits) out.push({ src: frame.subarray(off, off + cb), size: bsize / nsplits });
      off += cb;
    }
  }
  return out;
}

interface Case { name: string; bytes: number; pass: (d: ZstdWasm) => number }
const cases: Case[] = [];
for (const name of ARRAYS) {
  const chunks = chunksOf(name);
  for (let k = 0; k < chunks.length; k++) {
    const x = a.decodeBloscView(chunks[k]).slice();
    const y = b.decodeBloscView(chunks[k]);
    if (x.length !== y.length || !x.every((v, i) => v === y[i])) throw new Error(`Cannot compare: ${labelA} and ${labelB} decode ${name} chunk ${k} differently`);
  }
  const bytes = chunks.reduce((s, c) => s + a.decodeBloscView(c).length, 0);
  cases.push({ name, bytes, pass: (d) => { let n = 0; for (const c of chunks) n += d.decodeBloscView(c).length; return n; } });
}
{
  const streams = chunksOf('blosc_zstd').flatMap(streamsOf);
  for (const s of streams) {
    const x = a.decompress(s.src, s.size).slice();
    const y = b.decompress(s.src, s.size);
    if (x.length !== s.size || !x.every((v, i) => v === y[i])) throw new Error(`Cannot compare: ${labelA} and ${labelB} decode a zstd stream differently`);
  }
  const bytes = streams.reduce((t, s) => t + s.size, 0);
  cases.push({ name: `zstd streams (${streams.length}, of blosc_zstd)`, bytes, pass: (d) => { let n = 0; for (const s of streams) n += d.decompress(s.src, s.size).length; return n; } });
}

const time = (c: Case, d: ZstdWasm): number => {
  const t0 = performance.now();
  c.pass(d);
  return performance.now() - t0;
};
for (const c of cases) for (let w = 0; w < 3; w++) { time(c, a); time(c, b); } // warm both

console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; A = ${labelA}, B = ${labelB}; ${rounds} rounds, A/B order alternating`);
console.log('| decoded | MB | A ms | B ms | A MB/s | B MB/s | B/A time (median of rounds) |');
console.log('|---|---|---|---|---|---|---|');
for (const c of cases) {
  const ta: number[] = [], tb: number[] = [], ratio: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let x: number, y: number;
    if (r % 2 === 0) { x = time(c, a); y = time(c, b); } else { y = time(c, b); x = time(c, a); }
    ta.push(x);
    tb.push(y);
    ratio.push(y / x);
  }
  const mb = c.bytes / 1e6;
  console.log(`| ${c.name} | ${mb.toFixed(1)} | ${median(ta).toFixed(1)} | ${median(tb).toFixed(1)} | ${(mb / median(ta) * 1e3).toFixed(0)} | ${(mb / median(tb) * 1e3).toFixed(0)} | ${median(ratio).toFixed(3)} |`);
}

if (!args.includes('--no-native')) {
  // Native reference: c-blosc with zstd (Debian's numcodecs), one thread, same files.
  const py = `
import sys, os, time, statistics
from numcodecs import blosc
blosc.set_nthreads(1)
for name in sys.argv[2:]:
    d = os.path.join(sys.argv[1], name)
    chunks = [open(os.path.join(d, f), 'rb').read() for f in sorted(os.listdir(d)) if f[0].isdigit()]
    n = sum(len(blosc.decompress(c)) for c in chunks)
    ts = []
    for r in range(15):
        t0 = time.perf_counter()
        for c in chunks: blosc.decompress(c)
        ts.append((time.perf_counter() - t0) * 1e3)
    m = statistics.median(ts)
    print(f"| {name} (native c-blosc {blosc.__version__}, 1 thread) | {n / 1e6:.1f} | {m:.1f} ms | {n / 1e3 / m:.0f} MB/s |")
`;
  console.log('\n| native reference | MB | ms | MB/s |\n|---|---|---|---|');
  process.stdout.write(execFileSync('/usr/bin/python3', ['-c', py, OUT, ...ARRAYS], { encoding: 'utf8' }));
}

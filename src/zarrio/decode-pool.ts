import { Worker, isMainThread } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Worker threads that decode blosc and zstd chunks off the main thread (through `fast-blosc.ts`
 * and `fast-zstd.ts`, falling back to numcodecs.js' wasm codecs).
 *
 * Why: the decoders are single-threaded wasm, about 2× slower per core than native blosc, and
 * zarr-python's blosc decodes each chunk on all cores (numcodecs' blosc uses
 * `get_nthreads()` = the core count when called from the main thread). Decoding the chunks of a
 * region on several cores at once is the counterpart; zlib/gzip need no pool (node:zlib already
 * runs on libuv's thread pool). Workers hold no ref on the event loop while idle, so a process
 * exits normally with the pool alive.
 */
export type PoolCodec = 'blosc' | 'zstd';

/**
 * Where a worker writes a decoded chunk itself: the part of the chunk inside the region box, into
 * a region held in a SharedArrayBuffer (C-order, `size` elements of `bytesPerElement` bytes).
 */
export interface ChunkPlacement {
  region: SharedArrayBuffer;
  bytesPerElement: number;
  /** Region box in array voxels (z, y, x). */
  start: [number, number, number];
  size: [number, number, number];
  /** The chunk's first voxel and its (full, stored) shape. */
  origin: [number, number, number];
  chunk: [number, number, number];
  /** Send the decoded chunk back too (for a chunk cache). */
  keep: boolean;
}

interface Task {
  id: number;
  codec: PoolCodec;
  config: unknown;
  bytes: Uint8Array;
  place?: ChunkPlacement;
  /** The caller hands `bytes` over (a buffer of its own, whole): sent without a copy. */
  owned?: boolean;
  resolve: (b: Uint8Array | null) => void;
  reject: (e: Error) => void;
}

// The worker is plain JS (eval) so it runs the same under tsx, vitest and the compiled dist; it
// imports fast-blosc / fast-zstd (compiled .js, or the .ts source through tsx's loader) and
// numcodecs by URL.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const cache = new Map();
const fast = {};
let loader;
// view: results may be views of the decoder's memory, valid until its next call (placement copies them away at once).
function fastDecoder(name, view) {
  // A decoder that cannot load (no tsx, no dist) leaves the chunk to numcodecs.js: slower, same bytes.
  loader ??= workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve();
  const key = name + (view ? ':view' : '');
  fast[key] ??= loader
    .then(() => import(workerData.fast[name]))
    .then((m) => (name === 'blosc' ? m.loadFastBlosc(view) : m.loadFastZstd(view)), () => () => null);
  return fast[key];
}
async function codec(name, config) {
  const key = name + JSON.stringify(config);
  let c = cache.get(key);
  if (!c) {
    const C = (await import(workerData.urls[name])).default;
    c = C.fromConfig(config);
    cache.set(key, c);
  }
  return c;
}
// Bytes [from, to) of the chunk that hold its part of the region box (C order).
function neededRange(p) {
  const lo = [0, 1, 2].map((a) => Math.max(p.start[a], p.origin[a]) - p.origin[a]);
  const hi = [0, 1, 2].map((a) => Math.min(p.start[a] + p.size[a], p.origin[a] + p.chunk[a]) - p.origin[a]);
  if (lo.some((v, a) => hi[a] <= v)) return [0, 0];
  const at = (z, y, x) => ((z * p.chunk[1] + y) * p.chunk[2] + x) * p.bytesPerElement;
  return [at(lo[0], lo[1], lo[2]), at(hi[0] - 1, hi[1] - 1, hi[2] - 1) + p.bytesPerElement];
}
// The part of a decoded chunk inside the region box, row by row into the shared region.
function place(out, p) {
  const [cz, cy, cx] = p.chunk, [rd, rh, rw] = p.size, b = p.bytesPerElement;
  if (out.byteLength !== cz * cy * cx * b) throw new Error('decoded chunk has ' + out.byteLength + ' bytes, expected ' + cz * cy * cx * b);
  const lo = [0, 1, 2].map((a) => Math.max(p.start[a], p.origin[a]));
  const hi = [0, 1, 2].map((a) => Math.min(p.start[a] + p.size[a], p.origin[a] + p.chunk[a]));
  if (lo.some((v, a) => hi[a] <= v)) return;
  const dst = new Uint8Array(p.region);
  const rowBytes = (hi[2] - lo[2]) * b;
  for (let z = lo[0]; z < hi[0]; z++)
    for (let y = lo[1]; y < hi[1]; y++) {
      const s0 = (((z - p.origin[0]) * cy + (y - p.origin[1])) * cx + (lo[2] - p.origin[2])) * b;
      const d0 = (((z - p.start[0]) * rh + (y - p.start[1])) * rw + (lo[2] - p.start[2])) * b;
      dst.set(out.subarray(s0, s0 + rowBytes), d0);
    }
}
parentPort.on('message', async ({ id, name, config, bytes, placement }) => {
  try {
    const view = !!placement && !placement.keep;
    let out = process.env.STITCHGRAPH_DECODER !== 'numcodecs' ? (await fastDecoder(name, view))(bytes, view ? neededRange(placement) : undefined) : null;
    const quick = out !== null;
    out ??= await (await codec(name, config)).decode(bytes);
    if (placement) {
      place(out, placement);
      if (!placement.keep) {
        parentPort.postMessage({ id, placed: true, fast: quick });
        return;
      }
    }
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength) out = out.slice();
    parentPort.postMessage({ id, out, fast: quick }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

/**
 * Where a worker finds fast-blosc / fast-zstd: the compiled `.js` next to this module (dist/), else
 * the TypeScript source through tsx's ESM loader (vitest and `tsx` run the sources, which Node
 * cannot import in a fresh thread on its own). Same rule as distributed/thread-pool.ts.
 */
function fastEntries(): { fast: Record<PoolCodec, string>; tsx?: string } {
  const fast = {} as Record<PoolCodec, string>;
  let ts = false;
  for (const name of ['blosc', 'zstd'] as const) {
    const js = new URL(`./fast-${name}.js`, import.meta.url);
    ts = !(js.protocol === 'file:' && existsSync(fileURLToPath(js)));
    fast[name] = ts ? new URL(`./fast-${name}.ts`, import.meta.url).href : js.href;
  }
  if (!ts) return { fast };
  try {
    return { fast, tsx: pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href };
  } catch {
    return { fast };
  }
}

function numcodecsUrls(): Record<PoolCodec, string> {
  const urls = {} as Record<PoolCodec, string>;
  for (const name of ['blosc', 'zstd'] as const) {
    try {
      urls[name] = import.meta.resolve(`numcodecs/${name}`);
    } catch {
      // Runners without import.meta.resolve: find node_modules/numcodecs upwards from here.
      let dir = dirname(fileURLToPath(import.meta.url));
      while (!existsSync(join(dir, 'node_modules/numcodecs/dist', `${name}.js`)) && dirname(dir) !== dir) dir = dirname(dir);
      urls[name] = pathToFileURL(join(dir, 'node_modules/numcodecs/dist', `${name}.js`)).href;
    }
  }
  return urls;
}

export class DecodePool {
  readonly size: number;
  /** Chunks decoded by the workers so far. */
  decoded = 0;
  /** Of those, chunks decoded by fast-blosc / fast-zstd (the rest by numcodecs.js). */
  decodedFast = 0;
  #workers: { w: Worker; busy: number }[] = [];
  #queue: Task[] = [];
  #tasks = new Map<number, Task>();
  #nextId = 1;
  #urls = numcodecsUrls();
  #fast = fastEntries();

  /** @param size worker threads @default min(availableParallelism(), 8) */
  constructor(size = Math.min(availableParallelism(), 8)) {
    this.size = Math.max(1, size);
  }

  decode(codec: PoolCodec, config: unknown, bytes: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, codec, config, bytes, resolve: (b) => (b ? resolve(b) : reject(new Error('no output'))), reject });
      this.#pump();
    });
  }

  /**
   * Decode a chunk and write its part of a region in the worker (no decoded bytes travel back and
   * the main thread copies nothing); resolves with the decoded chunk when `place.keep`, else null.
   */
  decodeInto(codec: PoolCodec, config: unknown, bytes: Uint8Array, place: ChunkPlacement, owned = false): Promise<Uint8Array | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, codec, config, bytes, place, owned, resolve, reject });
      this.#pump();
    });
  }

  #spawn(): { w: Worker; busy: number } {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { urls: this.#urls, ...this.#fast } });
    const slot = { w, busy: 0 };
    w.unref();
    w.on('message', (m: { id: number; out?: Uint8Array; placed?: boolean; error?: string; fast?: boolean }) => {
      const t = this.#tasks.get(m.id);
      if (!t) return;
      this.#tasks.delete(m.id);
      slot.busy--;
      if (slot.busy === 0) w.unref();
      if (m.error !== undefined || (!m.out && !m.placed)) t.reject(new Error(m.error ?? 'no output'));
      else {
        this.decoded++;
        if (m.fast) this.decodedFast++;
        t.resolve(m.out ?? null);
      }
      this.#pump();
    });
    w.on('error', (err) => {
      // A dead worker fails its own tasks; later tasks go to a fresh one.
      this.#workers = this.#workers.filter((s) => s !== slot);
      for (const [id, t] of this.#tasks) {
        if ((t as Task & { slot?: unknown }).slot === slot) {
          this.#tasks.delete(id);
          t.reject(err);
        }
      }
      this.#pump();
    });
    this.#workers.push(slot);
    return slot;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      // Two tasks per worker keep each busy while a result travels back.
      let slot = this.#workers.find((s) => s.busy === 0);
      if (!slot && this.#workers.length < this.size) slot = this.#spawn();
      slot ??= this.#workers.find((s) => s.busy < 2);
      if (!slot) return;
      const t = this.#queue.shift() as Task;
      (t as Task & { slot?: unknown }).slot = slot;
      this.#tasks.set(t.id, t);
      if (slot.busy === 0) slot.w.ref();
      slot.busy++;
      // Send a copy unless the caller handed the bytes over: they may live on in a byte cache.
      const whole = t.bytes.byteOffset === 0 && t.bytes.byteLength === t.bytes.buffer.byteLength && !(t.bytes.buffer instanceof SharedArrayBuffer);
      const bytes = t.owned && whole ? t.bytes : t.bytes.slice();
      slot.w.postMessage({ id: t.id, name: t.codec, config: t.config, bytes, placement: t.place }, [bytes.buffer as ArrayBuffer]);
    }
  }

  /** Stop the workers (tests; a process may simply exit). */
  async close(): Promise<void> {
    const ws = this.#workers;
    this.#workers = [];
    await Promise.all(ws.map((s) => s.w.terminate()));
  }
}

let shared: DecodePool | null | undefined;

/**
 * Set the process-wide pool's size; 0 decodes on the main thread. The old pool finishes its tasks
 * and stops.
 */
export function configureDecodePool(threads: number): DecodePool | null {
  const old = shared;
  shared = threads === 0 ? null : new DecodePool(threads);
  void old?.close();
  return shared;
}

/**
 * Worker threads of the process-wide pool unless told otherwise: all cores (at most 8) in a
 * process's main thread on a machine with more than one core; none (decode inline) in worker
 * threads — a pool per worker would oversubscribe the cores — and on one core. This mirrors
 * zarr-python's blosc, which uses every core from the main thread and one from other threads.
 * STITCHGRAPH_DECODE_THREADS=<n> overrides (0: decode on the calling thread).
 */
export function defaultDecodeThreads(env: NodeJS.ProcessEnv = process.env, mainThread = isMainThread, cores = availableParallelism()): number {
  const raw = env.STITCHGRAPH_DECODE_THREADS;
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0) return n;
  }
  return mainThread && cores > 1 ? Math.min(cores, 8) : 0;
}

/**
 * The process-wide pool, or null (decode on the calling thread); sized by defaultDecodeThreads()
 * until configureDecodePool(n) says otherwise.
 */
export function sharedDecodePool(): DecodePool | null {
  if (shared === undefined) {
    const n = defaultDecodeThreads();
    shared = n > 0 ? new DecodePool(n) : null;
  }
  return shared;
}

import { Worker, isMainThread } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { STRIP_SLOTS, type SharedWasmMemory } from './zstd-wasm.js';

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
 * A strip of a region read: the chunks of one (z, y) row of the chunk grid, decoded by one worker
 * and assembled into the strip's box (its z and y extent within that chunk row, the region's whole
 * width), C order, in the worker's WebAssembly memory, which is shared: the main thread reads the
 * strip there (no copy into a transfer buffer) and hands the slot back. Because the strip spans the
 * region's width, each of its planes is one contiguous run of the region: the main thread copies
 * it with one call per plane, not one per chunk row. Only the blosc blocks holding the strip's
 * bytes are decoded.
 */
export interface StripJob {
  bytesPerElement: number;
  /** The strip's box in array voxels: first voxel and extent (z, y, x). */
  start: [number, number, number];
  size: [number, number, number];
  /** Stored chunk shape, and the first voxel of each chunk (null bytes: chunk missing, left untouched). */
  chunk: [number, number, number];
  origins: [number, number, number][];
}

interface Task {
  id: number;
  codec: PoolCodec;
  config: unknown;
  bytes: Uint8Array;
  strip?: StripJob;
  parts?: (Uint8Array | null)[];
  /** Chunk files the worker reads itself (instead of `parts`): a plain file store. */
  files?: string[];
  /** Strips: the caller's use of the strip, called once it has arrived (the view is valid during the call only). */
  consume?: (strip: Uint8Array, missing: number[]) => void;
  /** The caller hands `bytes` over (a buffer of its own, whole): sent without a copy. */
  owned?: boolean;
  resolve: (b: Uint8Array) => void;
  reject: (e: Error) => void;
}

// The worker is plain JS (eval) so it runs the same under tsx, vitest and the compiled dist; it
// imports fast-blosc / fast-zstd (compiled .js, or the .ts source through tsx's loader) and
// numcodecs by URL.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync, existsSync } = require('node:fs');
const cache = new Map();
const fast = {};
let loader;
function fastDecoder(name) {
  // A decoder that cannot load (no tsx, no dist) leaves the chunk to numcodecs.js: slower, same bytes.
  fast[name] ??= fastModule(name).then((m) => (!m ? () => null : name === 'blosc' ? m.loadFastBlosc() : m.loadFastZstd()));
  return fast[name];
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
// Chunk k's part of the strip: [lo, hi) per axis in chunk coordinates, or null.
function overlap(p, k) {
  const o = p.origins[k];
  const lo = [0, 1, 2].map((a) => Math.max(p.start[a], o[a]) - o[a]);
  const hi = [0, 1, 2].map((a) => Math.min(p.start[a] + p.size[a], o[a] + p.chunk[a]) - o[a]);
  return lo.some((v, a) => hi[a] <= v) ? null : { lo, hi };
}
// Where chunk k's part goes in the strip (zstd-wasm.ts StripPlacement), or null.
function placement(p, k) {
  const o = overlap(p, k);
  if (!o) return null;
  const org = p.origins[k];
  return { chunk: p.chunk, bytesPerElement: p.bytesPerElement, lo: o.lo, hi: o.hi, at: [0, 1, 2].map((a) => org[a] + o.lo[a] - p.start[a]), stripRows: p.size[1], stripWidth: p.size[2] };
}
// fast-blosc / fast-zstd (their decoders and the strip decoder), or null when they cannot load.
const modules = {};
function fastModule(name) {
  loader ??= workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve();
  modules[name] ??= loader.then(() => import(workerData.fast[name])).then((m) => m, () => null);
  return modules[name];
}
// Chunk k's part into a strip held in JavaScript (numcodecs.js only: STITCHGRAPH_DECODER=numcodecs).
function placeJs(out, p, k, dst) {
  const [, cy, cx] = p.chunk, b = p.bytesPerElement;
  const o = overlap(p, k);
  const org = p.origins[k];
  const row = (o.hi[2] - o.lo[2]) * b;
  for (let z = o.lo[0]; z < o.hi[0]; z++)
    for (let y = o.lo[1]; y < o.hi[1]; y++) {
      const s = ((z * cy + y) * cx + o.lo[2]) * b;
      const d = (((org[0] + z - p.start[0]) * p.size[1] + (org[1] + y - p.start[1])) * p.size[2] + (org[2] + o.lo[2] - p.start[2])) * b;
      dst.set(out.subarray(s, s + row), d);
    }
}
// A chunk file read here (no copy across threads, no round trip through the main thread's
// event loop): into \`into(size)\` (the decoder's input area) when given, else a fresh buffer.
// A file that does not exist is a chunk never written (null).
function readChunkFile(path, into, range) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if (e && e.code === 'ENOENT') return null;
    throw new Error('cannot read chunk file ' + path + ': ' + ((e && e.message) || e));
  }
  try {
    const size = fstatSync(fd).size;
    const view = into ? into(size) : new Uint8Array(size);
    const fill = (from, to) => {
      for (let got = from; got < to; ) {
        const n = readSync(fd, view, got, to - got, got);
        if (n === 0) throw new Error('the file ended at byte ' + got + ' of ' + size);
        got += n;
      }
    };
    const part = range ? bloscPart(view, size, range, fill) : null;
    if (!part) fill(0, size);
    return view;
  } catch (e) {
    throw new Error('cannot read chunk file ' + path + ': ' + ((e && e.message) || e));
  } finally {
    closeSync(fd);
  }
}
// A strip that needs only bytes [from, to) of a chunk stored as a Blosc-1 frame needs only the
// frame's header, its block offsets and the streams of the blocks holding those bytes: read just
// those (the rest of the view is never looked at; blosc_place decodes only those blocks). True
// when done; false when the file is read whole instead (not a Blosc-1 frame of zstd streams,
// memcpyed, or blocks not stored in order, as c-blosc always stores them).
function bloscPart(view, size, range, fill) {
  if (size < 16) return false;
  fill(0, 16);
  const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
  const flags = view[2], nbytes = dv.getInt32(4, true), blocksize = dv.getInt32(8, true), cbytes = dv.getInt32(12, true);
  if (view[0] > 2 || flags & 0x0a || flags >> 5 !== 4 || blocksize <= 0 || nbytes <= 0 || cbytes > size || range[0] >= range[1] || range[1] > nbytes) return false;
  const nblocks = Math.ceil(nbytes / blocksize);
  const offsetsEnd = 16 + 4 * nblocks;
  if (offsetsEnd > cbytes) return false;
  fill(16, offsetsEnd);
  const j0 = Math.floor(range[0] / blocksize), j1 = Math.floor((range[1] - 1) / blocksize);
  const start = (j) => (j < nblocks ? dv.getInt32(16 + 4 * j, true) : cbytes);
  for (let j = j0; j <= j1; j++) if (!(start(j) >= offsetsEnd && start(j) < start(j + 1))) return false;
  if (start(j1 + 1) > cbytes) return false;
  fill(start(j0), start(j1 + 1));
  return true;
}
// Bytes [from, to) of chunk k that hold its part of the strip (C order): the blosc blocks needed.
function neededRange(p, k) {
  const o = overlap(p, k);
  if (!o) return [0, 0];
  const at = (z, y, x) => ((z * p.chunk[1] + y) * p.chunk[2] + x) * p.bytesPerElement;
  return [at(o.lo[0], o.lo[1], o.lo[2]), at(o.hi[0] - 1, o.hi[1] - 1, o.hi[2] - 1) + p.bytesPerElement];
}
// The strip slot the next strip goes to (zstd-wasm.ts STRIP_SLOTS): the main thread copies
// one out while this worker fills the other.
let nextSlot = 0;
// Wait until the main thread has copied slot k out (its flag back to 0). The timeout only makes
// the wait re-check; the main thread always releases a slot it was told of.
function waitForSlot(flags, k) {
  while (Atomics.load(flags, k) !== 0) Atomics.wait(flags, k, 1, 100);
}
// Assemble a strip inside the WebAssembly decoder's shared memory (numcodecs.js decodes the chunks
// it does not take), in one of its two slots, which stays the main thread's until it releases it.
// Without the WebAssembly decoder (STITCHGRAPH_DECODER=numcodecs, or no fast module) the strip is
// a fresh buffer, transferred.
async function decodeStrip(name, config, strip, parts, files) {
  const total = strip.size[0] * strip.size[1] * strip.size[2] * strip.bytesPerElement;
  const size = strip.chunk[0] * strip.chunk[1] * strip.chunk[2] * strip.bytesPerElement;
  const n = files ? files.length : parts.length;
  const decodeSlow = async (bytes) => {
    const out = await (await codec(name, config)).decode(bytes);
    if (out.byteLength !== size) throw new Error('decoded chunk has ' + out.byteLength + ' bytes, expected ' + size);
    return out;
  };
  const missing = [];
  const m = process.env.STITCHGRAPH_DECODER !== 'numcodecs' ? await fastModule(name) : null;
  if (!m) {
    const dst = new Uint8Array(total);
    for (let k = 0; k < n; k++) {
      const bytes = files ? readChunkFile(files[k]) : parts[k];
      if (!bytes) missing.push(k);
      else if (placement(strip, k)) placeJs(await decodeSlow(bytes), strip, k, dst);
    }
    return { view: dst, quick: false, missing };
  }
  const d = m.stripDecoder();
  const flags = d.slotFlags();
  const slot = nextSlot;
  nextSlot = (nextSlot + 1) % flags.length;
  // A larger strip than the slots hold moves both: neither may be in use then.
  if (!d.stripFits(total)) for (let k = 0; k < flags.length; k++) waitForSlot(flags, k);
  else waitForSlot(flags, slot);
  d.beginStrip(total, slot);
  let quick = true;
  for (let k = 0; k < n; k++) {
    const pl = placement(strip, k);
    // A blosc chunk the strip needs only part of (a strip cut along z) is read in part.
    const range = name === 'blosc' && pl && (pl.lo[0] > 0 || pl.hi[0] < strip.chunk[0]) ? neededRange(strip, k) : null;
    const bytes = files ? (pl ? readChunkFile(files[k], (len) => d.input(len), range) : existsSync(files[k]) || null) : parts[k];
    if (!bytes) missing.push(k);
    if (!bytes || !pl) continue;
    if (name === 'blosc' && m.wasmTakesBlosc(bytes)) d.placeBlosc(bytes, pl);
    else if (!(name === 'zstd' && d.placeZstd(bytes, size, pl))) {
      quick = false;
      d.placeDecoded(await decodeSlow(bytes), pl);
    }
  }
  const view = d.strip(total);
  const held = d.slotFlags();
  Atomics.store(held, slot, 1);
  return { view, quick, missing, shared: { memory: d.memory, held, flags: held.byteOffset, slot } };
}
// One message at a time: decoders return views of their WebAssembly memory and strips are
// assembled there, so a second job started at an await would grow or overwrite that memory
// under the first. (The decoding itself is synchronous; nothing is lost by the order.)
let chain = Promise.resolve();
parentPort.on('message', (msg) => {
  // A job that fails outside its own error handling must not stop the ones queued behind it.
  chain = chain.then(() => handle(msg)).catch((e) => parentPort.postMessage({ id: msg && msg.id, error: String((e && e.message) || e) }));
});
// The main thread keeps the decoder's memory for the worker's life; it is sent again after it
// grew, so that the main thread's view of it covers the new strips (another thread's Memory
// object learns of a grow only at its next interrupt check).
let sentLength = 0;
async function handle({ id, name, config, bytes, strip, parts, files }) {
  try {
    if (strip) {
      const { view, quick, missing, shared } = await decodeStrip(name, config, strip, parts, files);
      const chunks = (files || parts).length - missing.length;
      if (!shared) {
        parentPort.postMessage({ id, out: view, fast: quick, chunks, missing }, [view.buffer]);
        return;
      }
      const grown = shared.memory.buffer.byteLength !== sentLength;
      const memory = grown ? shared.memory : undefined;
      try {
        parentPort.postMessage({ id, at: view.byteOffset, length: view.length, slot: shared.slot, flags: shared.flags, memory, fast: quick, chunks, missing });
      } catch (e) {
        // Nobody will hand the slot back: free it here.
        Atomics.store(shared.held, shared.slot, 0);
        throw e;
      }
      sentLength = shared.memory.buffer.byteLength;
      return;
    }
    let out = process.env.STITCHGRAPH_DECODER !== 'numcodecs' ? (await fastDecoder(name))(bytes) : null;
    const quick = out !== null;
    out ??= await (await codec(name, config)).decode(bytes);
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength || !(out.buffer instanceof ArrayBuffer)) out = out.slice();
    parentPort.postMessage({ id, out, fast: quick }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
}
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

/** A worker's reply: a decoded chunk (`out`), a strip (`out`, or `at`/`length` in its shared memory and the `slot` to hand back), or an error. */
interface WorkerReply {
  id: number;
  out?: Uint8Array;
  at?: number;
  length?: number;
  slot?: number;
  flags?: number;
  memory?: SharedWasmMemory;
  error?: string;
  fast?: boolean;
  chunks?: number;
  missing?: number[];
}

export class DecodePool {
  readonly size: number;
  /** Chunks decoded by the workers so far (a chunk that several strips cut from one row need counts once per strip). */
  decoded = 0;
  /** Of those, chunks decoded by fast-blosc / fast-zstd (the rest by numcodecs.js). */
  decodedFast = 0;
  /** Strips assembled by the workers (region reads without a chunk cache, see decodeStrip). */
  strips = 0;
  #workers: { w: Worker; busy: number }[] = [];
  #queue: Task[] = [];
  #tasks = new Map<number, Task>();
  #nextId = 1;
  #closed = false;
  #retiring = false;
  #urls = numcodecsUrls();
  #fast = fastEntries();

  /** @param size worker threads @default min(availableParallelism(), 8) */
  constructor(size = Math.min(availableParallelism(), 8)) {
    this.size = Math.max(1, size);
  }

  decode(codec: PoolCodec, config: unknown, bytes: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, codec, config, bytes, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Decode the chunks of a strip in one worker, which assembles it (see StripJob), and call
   * `consume` with the strip once it has arrived: a view of the worker's memory, valid only during
   * the call (copy what you need), and the chunks that do not exist (their part of the strip is
   * stale). The chunks are `parts` (null: never written) or, from a plain file store, `files` the
   * worker reads itself. `owned`: the parts' bytes are the caller's to give (sent without a copy
   * when they are whole buffers). Resolves after `consume` returned; rejects with what it threw.
   */
  decodeStrip(codec: PoolCodec, config: unknown, chunks: { parts: (Uint8Array | null)[] } | { files: string[] }, strip: StripJob, consume: (strip: Uint8Array, missing: number[]) => void, owned = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const parts = 'parts' in chunks ? chunks.parts : undefined;
      const files = 'files' in chunks ? chunks.files : undefined;
      this.#queue.push({ id: this.#nextId++, codec, config, bytes: new Uint8Array(0), strip, parts, files, consume, owned, resolve: () => resolve(), reject });
      this.#pump();
    });
  }

  #spawn(): { w: Worker; busy: number } {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { urls: this.#urls, ...this.#fast } });
    // memory: the worker's WebAssembly memory (shared), where its strips arrive.
    const slot: { w: Worker; busy: number; memory?: SharedWasmMemory } = { w, busy: 0 };
    w.unref();
    w.on('message', (m: WorkerReply) => {
      if (m.memory) slot.memory = m.memory;
      const t = this.#tasks.get(m.id);
      let failure: Error | null = m.error !== undefined ? new Error(m.error) : null;
      if (t && !failure && t.consume) {
        try {
          let view = m.out ?? null;
          if (!view && slot.memory && m.at !== undefined && m.length !== undefined && m.slot !== undefined && m.flags !== undefined) {
            // The flag read orders this thread's reads of the strip after the worker's writes.
            if (Atomics.load(new Int32Array(slot.memory.buffer, m.flags, STRIP_SLOTS), m.slot) !== 1) throw new Error('the strip slot was not marked as handed over');
            view = new Uint8Array(slot.memory.buffer, m.at, m.length);
          }
          if (!view) throw new Error('no strip in the reply');
          t.consume(view, m.missing ?? []);
        } catch (err) {
          failure = err as Error;
        }
      }
      // The strip's slot goes back to the worker whatever happened to it here: a worker waits for it.
      if (m.slot !== undefined && m.flags !== undefined && slot.memory) {
        const flags = new Int32Array(slot.memory.buffer, m.flags, STRIP_SLOTS);
        Atomics.store(flags, m.slot, 0);
        Atomics.notify(flags, m.slot);
      }
      if (!t) return;
      this.#tasks.delete(m.id);
      slot.busy--;
      if (slot.busy === 0) w.unref();
      if (failure || (!m.out && !t.consume)) t.reject(failure ?? new Error('no output'));
      else {
        this.decoded += m.chunks ?? 1;
        if (m.chunks !== undefined) this.strips++;
        if (m.fast) this.decodedFast += m.chunks ?? 1;
        t.resolve(m.out ?? new Uint8Array(0));
      }
      this.#pump();
      this.#retireIfIdle();
    });
    // A reply that cannot be received (its strip's slot is then never handed back, and the
    // worker would wait for it): the worker is stopped and its tasks fail, as on an error.
    w.on('messageerror', (err) => {
      w.emit('error', err);
      void w.terminate();
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
    // A retired pool that stopped while idle takes up a late task (a read that still holds it)
    // and stops again once idle; only close() refuses tasks.
    if (this.#closed && this.#retiring && this.#queue.length > 0) this.#closed = false;
    if (this.#closed) {
      for (const t of this.#queue.splice(0)) t.reject(new Error('the decode pool was closed'));
      return;
    }
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
      const whole = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
      // new Uint8Array(b) copies; b.slice() would not on a Node Buffer (its slice is a view), and
      // transferring that view would empty the caller's Buffer.
      const give = (b: Uint8Array): Uint8Array => (t.owned && whole(b) ? b : new Uint8Array(b));
      try {
        // An empty part is no frame (and a detached buffer, posted, would make the job vanish).
        if (t.parts?.some((p) => p !== null && p.byteLength === 0)) throw new Error('chunk bytes are empty (detached by an earlier transfer?)');
        const bytes = give(t.bytes);
        const parts = t.parts?.map((p) => (p ? give(p) : null));
        const transfer = [bytes.buffer as ArrayBuffer, ...(parts ?? []).filter((p): p is Uint8Array => p !== null).map((p) => p.buffer as ArrayBuffer)];
        slot.w.postMessage({ id: t.id, name: t.codec, config: t.config, bytes, strip: t.strip, parts, files: t.files }, transfer);
      } catch (err) {
        // Nothing was sent: the task fails here and its slot is free again.
        this.#tasks.delete(t.id);
        slot.busy--;
        if (slot.busy === 0) slot.w.unref();
        t.reject(err as Error);
      }
    }
  }

  /** Stop the workers now; tasks queued or in flight fail (tests; a process may simply exit). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#retiring = false;
    const ws = this.#workers;
    this.#workers = [];
    const pending = [...this.#queue, ...this.#tasks.values()];
    this.#queue = [];
    this.#tasks.clear();
    for (const t of pending) t.reject(new Error('the decode pool was closed'));
    await Promise.all(ws.map((s) => s.w.terminate()));
  }

  /** Stop the workers whenever no task is queued or in flight (configureDecodePool's old pool). */
  retire(): void {
    this.#retiring = true;
    this.#retireIfIdle();
  }

  #retireIfIdle(): void {
    if (!this.#retiring || this.#closed || this.#queue.length > 0 || this.#tasks.size > 0) return;
    this.#closed = true;
    const ws = this.#workers;
    this.#workers = [];
    for (const s of ws) void s.w.terminate();
  }
}

let shared: DecodePool | null | undefined;

/**
 * Set the process-wide pool's size; 0 decodes on the main thread. The old pool finishes the tasks
 * it has (a read that still holds it may add more) and then stops.
 */
export function configureDecodePool(threads: number): DecodePool | null {
  const old = shared;
  shared = threads === 0 ? null : new DecodePool(threads);
  old?.retire();
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

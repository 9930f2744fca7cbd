import { Worker, isMainThread } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { STRIP_SLOTS, type SharedWasmMemory } from './zstd-wasm.js';
import type { DecodeReply, DecodeRequest } from './_decode-messages.js';

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

/**
 * How a worker finds its entry: the compiled `decode-worker.js` next to this module (dist/), else
 * the TypeScript source through tsx's ESM loader (vitest and `tsx` run the sources, which Node
 * cannot import in a fresh thread on its own). Same rule as distributed/thread-pool.ts.
 */
function workerEntry(): { entry: URL | string; eval: boolean } {
  const js = new URL('./decode-worker.js', import.meta.url);
  if (js.protocol === 'file:' && existsSync(fileURLToPath(js))) return { entry: js, eval: false };
  const ts = new URL('./decode-worker.ts', import.meta.url);
  // tsx's ESM api (its CommonJS twin cannot register ESM hooks from an eval'd thread).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); });`;
  return { entry: code, eval: true };
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
  #entry: { entry: URL | string; eval: boolean } | undefined;

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
    this.#entry ??= workerEntry();
    const w = new Worker(this.#entry.entry, { eval: this.#entry.eval });
    // memory: the worker's WebAssembly memory (shared), where its strips arrive.
    const slot: { w: Worker; busy: number; memory?: SharedWasmMemory } = { w, busy: 0 };
    w.unref();
    w.on('message', (m: DecodeReply) => {
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
        const request: DecodeRequest = { id: t.id, name: t.codec, config: t.config, bytes, strip: t.strip, parts, files: t.files };
        slot.w.postMessage(request, transfer);
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

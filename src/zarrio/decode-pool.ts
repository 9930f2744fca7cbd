import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Worker threads that run numcodecs.js' wasm decoders (blosc, zstd) off the main thread.
 *
 * Why: the wasm builds are single-threaded and about 3× slower than native blosc, so one thread
 * cannot keep up with zarr-python (whose C blosc is native). Decoding the chunks of a region on
 * several cores at once closes most of that gap; zlib/gzip need no pool (node:zlib already runs
 * on libuv's thread pool). Workers hold no ref on the event loop while idle, so a process exits
 * normally with the pool alive.
 */
export type PoolCodec = 'blosc' | 'zstd';

interface Task {
  id: number;
  codec: PoolCodec;
  config: unknown;
  bytes: Uint8Array;
  resolve: (b: Uint8Array) => void;
  reject: (e: Error) => void;
}

// The worker is plain JS (eval) so it runs the same under tsx, vitest and the compiled dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const cache = new Map();
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
parentPort.on('message', async ({ id, name, config, bytes }) => {
  try {
    let out = await (await codec(name, config)).decode(bytes);
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength) out = out.slice();
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

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
  #workers: { w: Worker; busy: number }[] = [];
  #queue: Task[] = [];
  #tasks = new Map<number, Task>();
  #nextId = 1;
  #urls = numcodecsUrls();

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

  #spawn(): { w: Worker; busy: number } {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { urls: this.#urls } });
    const slot = { w, busy: 0 };
    w.unref();
    w.on('message', (m: { id: number; out?: Uint8Array; error?: string }) => {
      const t = this.#tasks.get(m.id);
      if (!t) return;
      this.#tasks.delete(m.id);
      slot.busy--;
      if (slot.busy === 0) w.unref();
      if (m.error !== undefined || !m.out) t.reject(new Error(m.error ?? 'no output'));
      else {
        this.decoded++;
        t.resolve(m.out);
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
      // Send a copy: the caller's bytes may live on in a byte cache; compressed bytes are small
      // next to the decode.
      const bytes = t.bytes.slice();
      slot.w.postMessage({ id: t.id, name: t.codec, config: t.config, bytes }, [bytes.buffer as ArrayBuffer]);
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
 * The process-wide pool, or null (the default: decode on the main thread). Opt in with
 * STITCHGRAPH_DECODE_THREADS=<n> or configureDecodePool(n): it pays off only with idle cores (on
 * a loaded 2-core machine it measured no faster; see bench/RESULTS-zarrio.md).
 */
export function sharedDecodePool(): DecodePool | null {
  if (shared === undefined) {
    const n = Number(process.env.STITCHGRAPH_DECODE_THREADS ?? 0);
    shared = Number.isInteger(n) && n > 0 ? new DecodePool(n) : null;
  }
  return shared;
}

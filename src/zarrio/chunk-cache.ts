import type { TileTypedArray } from './dtypes.js';

/** A decoded chunk as zarrita returns it: typed data, its shape and strides (elements). */
export interface DecodedChunk {
  data: TileTypedArray;
  shape: number[];
  stride: number[];
}

export interface ChunkCacheOptions {
  /**
   * Most bytes of decoded chunk data held at once; the least recently used chunks go first.
   * 0 disables caching (in-flight loads are still shared).
   * @default DEFAULT_CHUNK_CACHE_BYTES (256 MiB)
   */
  maxBytes?: number;
}

/** The one place the default cache size is decided. */
export const DEFAULT_CHUNK_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * A bounded LRU cache of decoded chunks shared by every reader of a process.
 *
 * Concurrent requests for the same chunk share one load (the in-flight promise), so two region
 * reads that overlap decode each chunk once. A failed load is not remembered: the next request
 * retries. Cached chunks are shared; callers copy out of them and never write into them.
 */
export class ChunkCache {
  readonly maxBytes: number;
  #entries = new Map<string, DecodedChunk>();
  #inFlight = new Map<string, Promise<DecodedChunk>>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(options: ChunkCacheOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_CHUNK_CACHE_BYTES;
    if (!(maxBytes >= 0)) throw new RangeError(`Cannot create a chunk cache: maxBytes must be >= 0, not ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** Bytes of decoded data held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Chunks held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached chunk under `key`, else the result of `load()` (shared with concurrent callers). */
  getOrLoad(key: string, load: () => Promise<DecodedChunk>): Promise<DecodedChunk> {
    const hit = this.#entries.get(key);
    if (hit) {
      // Re-insert: a Map iterates in insertion order, so its first key is the least recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      this.hits++;
      return Promise.resolve(hit);
    }
    const pending = this.#inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    const p = load().then(
      (chunk) => {
        this.#inFlight.delete(key);
        this.#insert(key, chunk);
        return chunk;
      },
      (err: unknown) => {
        this.#inFlight.delete(key);
        throw err;
      },
    );
    this.#inFlight.set(key, p);
    return p;
  }

  /** Forget every chunk whose key starts with `prefix` (e.g. after rewriting an array). */
  invalidate(prefix = ''): void {
    for (const [k, v] of this.#entries) {
      if (k.startsWith(prefix)) {
        this.#entries.delete(k);
        this.#bytes -= v.data.byteLength;
      }
    }
  }

  clear(): void {
    this.invalidate('');
    this.hits = 0;
    this.misses = 0;
  }

  #insert(key: string, chunk: DecodedChunk): void {
    const size = chunk.data.byteLength;
    if (size > this.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.data.byteLength;
    }
    this.#entries.set(key, chunk);
    this.#bytes += size;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.data.byteLength;
    }
  }
}

let shared: ChunkCache | undefined;

/** The process-wide cache tile arrays use unless given their own. */
export function sharedChunkCache(): ChunkCache {
  shared ??= new ChunkCache();
  return shared;
}

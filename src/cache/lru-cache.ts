/**
 * A least-recently-used cache bounded by bytes, with loads in flight shared: two concurrent
 * readers asking for the same key load it once, which is what makes concurrent region reads and
 * `getView` calls cheap and safe. A failed load is not remembered (the next request retries).
 * Cached values are shared: callers copy out of them and never write into them.
 */
export interface LruCacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
}

export class LruCache<V> {
  readonly maxBytes: number;
  #entries = new Map<string, V>();
  #inFlight = new Map<string, Promise<V>>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  /**
   * @param maxBytes budget for cached values; 0 disables caching (loads are still shared while in flight).
   * @param sizeOf bytes one value holds.
   */
  constructor(maxBytes: number, private readonly sizeOf: (v: V) => number) {
    if (!(maxBytes >= 0)) throw new RangeError(`Cannot create a cache: maxBytes must be >= 0, not ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached value under `key`, else the result of `load()` (shared with concurrent callers). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // A Map iterates in insertion order: re-inserting marks the entry most recently used.
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
      (v) => {
        this.#inFlight.delete(key);
        this.#insert(key, v);
        return v;
      },
      (err: unknown) => {
        this.#inFlight.delete(key);
        throw err;
      },
    );
    this.#inFlight.set(key, p);
    return p;
  }

  /** Forget every entry whose key starts with `prefix` (e.g. after rewriting an array). */
  invalidate(prefix = ''): void {
    for (const [k, v] of this.#entries) {
      if (k.startsWith(prefix)) {
        this.#entries.delete(k);
        this.#bytes -= this.sizeOf(v);
      }
    }
  }

  clear(): void {
    this.invalidate('');
    this.hits = 0;
    this.misses = 0;
  }

  stats(): LruCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.#bytes, entries: this.#entries.size };
  }

  #insert(key: string, v: V): void {
    const size = this.sizeOf(v);
    if (size > this.maxBytes) return;
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= this.sizeOf(old);
    }
    this.#entries.set(key, v);
    this.#bytes += size;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= this.sizeOf(e);
    }
  }
}

import { LRUCache } from 'lru-cache';

/**
 * A least-recently-used cache bounded by bytes, with loads in flight shared: two concurrent
 * readers asking for the same key load it once, which is what makes concurrent region reads and
 * `getView` calls cheap and safe. A failed load is not remembered (the next request retries).
 * Cached values are shared: callers copy out of them and never write into them.
 *
 * Storage and eviction are the `lru-cache` package's; loads in flight are shared here rather than
 * through its `fetch`, which aborts a pending load (rejecting with "evicted") when more loads are
 * in flight than the budget holds, as happens when a region read asks for hundreds of chunks.
 */
export interface LruCacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
}

export class LruCache<V extends object> {
  readonly maxBytes: number;
  readonly #cache: LRUCache<string, V>;
  #inFlight = new Map<string, Promise<V>>();
  hits = 0;
  misses = 0;

  /**
   * @param maxBytes budget for cached values; 0 disables caching (loads are still shared while in flight).
   * @param sizeOf bytes one value holds.
   */
  constructor(maxBytes: number, sizeOf: (v: V) => number) {
    if (!(maxBytes >= 0)) throw new RangeError(`Cannot create a cache: maxBytes must be >= 0, not ${maxBytes}`);
    this.maxBytes = maxBytes;
    this.#cache = new LRUCache<string, V>({
      // lru-cache needs a positive bound; with 0 nothing fits (maxEntrySize below), nothing is kept.
      maxSize: Math.max(1, maxBytes),
      maxEntrySize: Math.max(1, maxBytes),
      // lru-cache counts sizes as positive integers: an empty value still takes one unit.
      sizeCalculation: (v) => (maxBytes === 0 ? 2 : Math.max(1, Math.ceil(sizeOf(v)))),
    });
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#cache.calculatedSize;
  }

  /** Entries held now. */
  get size(): number {
    return this.#cache.size;
  }

  /** The cached value under `key`, else the result of `load()` (shared with concurrent callers). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.hits++;
      return Promise.resolve(hit);
    }
    const pending = this.#inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    const p = load()
      .then((v) => {
        this.#cache.set(key, v);
        return v;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, p);
    return p;
  }

  /** Forget every entry whose key starts with `prefix` (e.g. after rewriting an array). */
  invalidate(prefix = ''): void {
    for (const k of [...this.#cache.keys()]) if (k.startsWith(prefix)) this.#cache.delete(k);
  }

  clear(): void {
    this.#cache.clear();
    this.hits = 0;
    this.misses = 0;
  }

  stats(): LruCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, entries: this.size };
  }
}

/**
 * A bounded least-recently-used cache of decoded chunks (or any byte-sized values), shared by all
 * views of a volume. Loads in flight are shared too: two concurrent views asking for the same chunk
 * decode it once, which is what makes concurrent `getView` calls cheap and safe.
 */
export interface ChunkCacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
}

export class ChunkCache<V extends { byteLength: number }> {
  private readonly entries = new Map<string, V>();
  private readonly inFlight = new Map<string, Promise<V>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  /** @param maxBytes budget for cached values; 0 disables caching (loads are still shared while in flight). */
  constructor(readonly maxBytes: number) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.hits++;
      return hit;
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.hits++;
      return pending;
    }
    this.misses++;
    const p = load().then(
      (v) => {
        this.inFlight.delete(key);
        this.put(key, v);
        return v;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }

  private put(key: string, v: V): void {
    if (v.byteLength > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.byteLength;
      this.entries.delete(key);
    }
    this.entries.set(key, v);
    this.bytes += v.byteLength;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.byteLength;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  stats(): ChunkCacheStats {
    return { hits: this.hits, misses: this.misses, bytes: this.bytes, entries: this.entries.size };
  }
}

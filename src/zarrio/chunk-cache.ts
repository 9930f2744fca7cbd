import { LruCache } from '../cache/lru-cache.js';
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
 * A bounded LRU cache of decoded chunks shared by every reader of a process: concurrent reads of
 * overlapping regions decode each chunk once (see LruCache).
 */
export class ChunkCache extends LruCache<DecodedChunk> {
  constructor(options: ChunkCacheOptions = {}) {
    super(options.maxBytes ?? DEFAULT_CHUNK_CACHE_BYTES, (c) => c.data.byteLength);
  }

  /** The cached chunk under `key`, else the result of `load()` (shared with concurrent callers). */
  getOrLoad(key: string, load: () => Promise<DecodedChunk>): Promise<DecodedChunk> {
    return this.get(key, load);
  }
}

let shared: ChunkCache | undefined;

/** The process-wide cache tile arrays use unless given their own. */
export function sharedChunkCache(): ChunkCache {
  shared ??= new ChunkCache();
  return shared;
}

import { describe, it, expect } from 'vitest';
import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import type { AbsolutePath } from '@zarrita/storage';
import { createArray, writeRegion } from '../../src/zarrio/write-array.js';
import { openTileArray } from '../../src/zarrio/tile-array.js';
import { tempDir } from './_helpers.js';

/** A store that records how many chunk writes are in flight at once. */
class GaugedStore extends FileSystemStore {
  inFlight = 0;
  maxInFlight = 0;
  writes = 0;
  override async set(key: AbsolutePath, value: Uint8Array): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      await super.set(key, value);
      this.writes++;
    } finally {
      this.inFlight--;
    }
  }
}

describe('writeRegion', () => {
  it('bounds the chunk writes in flight and writes every chunk once', async () => {
    const dir = tempDir();
    const shape = [4, 32, 32];
    await createArray(dir, 'a', { shape, chunks: [1, 8, 8], dtype: 'uint16', compressor: 'zstd' });
    const store = new GaugedStore(dir);
    const arr = await zarr.open.v3(zarr.root(store).resolve('a'), { kind: 'array' });
    const data = new Uint16Array(4 * 32 * 32).map((_, i) => i);
    await writeRegion(arr, [0, 0, 0], shape, data, { concurrency: 3 });
    expect(store.writes).toBe(64);
    expect(store.maxInFlight).toBeLessThanOrEqual(3);
    expect(store.maxInFlight).toBeGreaterThan(1);
    const t = await openTileArray(store, 'a', '', { cache: null });
    const r = await t.readRegion({ start: [0, 0, 0], size: [4, 32, 32] });
    expect(Array.from(r.data)).toEqual(Array.from(data));
  });
});

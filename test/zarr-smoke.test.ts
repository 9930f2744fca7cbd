import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArray, writeRegion } from '../src/zarrio/write-array.js';
import { openTileArray, openFileStore } from '../src/zarrio/tile-array.js';

describe('zarr smoke', () => {
  it('writes and reads back a v3 uint16 array', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-'));
    const shape = [5, 7, 9];
    const arr = await createArray(dir, 'tiles/a', { shape, chunks: [2, 4, 4], dtype: 'uint16', compressor: 'blosc-zstd' });
    const data = new Uint16Array(5 * 7 * 9).map((_, i) => i * 3);
    await writeRegion(arr, [0, 0, 0], shape, data);
    const t = await openTileArray(openFileStore(dir), 'tiles/a');
    const r = await t.readRegion({ start: [1, 2, 3], size: [2, 3, 4] });
    expect(r.data[0]).toBe(data[1 * 63 + 2 * 9 + 3]);
    expect(r.data.length).toBe(24);
  });
});

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import { pattern } from './_helpers.js';

// Written by zarr-python 2 (test/fixtures/zarr-v2/make_fixture.py); values follow pattern().
const DIR = fileURLToPath(new URL('../fixtures/zarr-v2/', import.meta.url));
interface Expected {
  arrays: { path: string; dtype: string; shape: number[]; chunks: number[]; sha256: string; first: number[] }[];
}
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Expected;

describe('Zarr v2 fixture written by zarr-python', () => {
  it('holds the arrays the issue asks for', () => {
    const names = expected.arrays.map((a) => a.path);
    expect(names).toEqual(expect.arrayContaining(['blosc_zstd_bitshuffle', 'zlib']));
  });

  it.each(expected.arrays.map((a) => [a.path, a] as const))('%s reads back identical', async (_name, a) => {
    const t = await openTileArray(openFileStore(`${DIR}fixture.zarr`), a.path, 'fixture.zarr', { cache: null });
    expect(t.zarrVersion).toBe(2);
    expect(t.dtype).toBe(a.dtype);
    const shape3 = a.shape.length === 2 ? [1, ...a.shape] : a.shape;
    expect(t.shape).toEqual(shape3);
    const whole = await t.readRegion({ start: [0, 0, 0], size: t.shape });
    const n = shape3.reduce((x, y) => x * y, 1);
    // The saved checksum pins the stored bytes; the formula gives every value.
    const bytes = new Uint8Array(whole.data.buffer, whole.data.byteOffset, whole.data.byteLength);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
    const want = pattern(a.dtype, n);
    expect(Array.from(whole.data)).toEqual(a.dtype === 'float32' ? Array.from(Float32Array.from(want)) : want);
    expect(Array.from(whole.data.subarray(0, 4))).toEqual(a.first);
    // A sub-region crossing chunk edges agrees with the same box of the whole array.
    const [d, h, w] = t.shape;
    const box = { start: [d - 1, 1, 2] as [number, number, number], size: [1, h - 2, w - 3] as [number, number, number] };
    const r = await t.readRegion(box);
    let k = 0;
    for (let y = 1; y < h - 1; y++) for (let x = 2; x < w - 1; x++) expect(r.data[k++]).toBe(whole.data[((d - 1) * h + y) * w + x]);
  });
});

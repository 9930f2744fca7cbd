import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TiffFile } from '../../src/tiff/tiff-file.js';
import { isStitchgraphError } from '../../src/errors.js';
import { pattern, tempDir } from '../zarrio/_helpers.js';
import { decodeLzw } from '../../src/tiff/_lzw.js';

// Written by tifffile / Pillow (test/fixtures/tiff/make_tiffs.py); values follow pattern().
const DIR = fileURLToPath(new URL('../fixtures/tiff/', import.meta.url));
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { files: Record<string, { shape: number[]; dtype: string; sha256: string }> };

async function readStack(file: string) {
  const t = await TiffFile.open(file);
  try {
    const [d, h, w] = t.shape;
    const pages = [];
    for (let z = 0; z < d; z++) pages.push(await t.readPage(z));
    const bytes = Buffer.concat(pages.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
    return { t, shape: [d, h, w], pages, bytes };
  } finally {
    await t.close();
  }
}

describe('TiffFile reads what tifffile / Pillow read', () => {
  const names = Object.keys(expected.files).filter((n) => n.endsWith('.tif') && n !== 'rgb.tif' && !n.includes('/'));
  it.each(names)('%s', async (name) => {
    const e = expected.files[name];
    const { t, shape, pages, bytes } = await readStack(join(DIR, name));
    expect(shape).toEqual(e.shape);
    expect(t.dtype).toBe(e.dtype);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(e.sha256);
    const want = pattern(e.dtype, shape[0] * shape[1] * shape[2]);
    const got = pages.flatMap((p) => Array.from(p));
    expect(got).toEqual(e.dtype === 'float32' ? Array.from(Float32Array.from(want)) : want);
  });

  it('LZW round trip against a reference encoder (codes widen to 12 bits and clear)', () => {
    // Minimal TIFF LZW encoder (same early-change rule), written here as the test's own truth.
    const encode = (data: Uint8Array): Uint8Array => {
      const bits: number[] = [];
      let width = 9;
      const put = (code: number) => {
        for (let b = width - 1; b >= 0; b--) bits.push((code >> b) & 1);
      };
      let dict = new Map<string, number>();
      let next = 258;
      put(256);
      let w = String.fromCharCode(data[0]);
      for (let i = 1; i < data.length; i++) {
        const c = String.fromCharCode(data[i]);
        if (dict.has(w + c) || (w + c).length === 1) {
          w += c;
          continue;
        }
        put(w.length === 1 ? w.charCodeAt(0) : (dict.get(w) as number));
        dict.set(w + c, next++);
        // The decoder adds each entry one code later than the encoder, so the encoder widens at
        // next == 2^width where the decoder (early change) widens at 2^width - 1.
        if (next >= 1 << width && width < 12) width++;
        if (next === 4094) {
          put(256);
          dict = new Map();
          next = 258;
          width = 9;
        }
        w = c;
      }
      put(w.length === 1 ? w.charCodeAt(0) : (dict.get(w) as number));
      put(257);
      const out = new Uint8Array(Math.ceil(bits.length / 8));
      bits.forEach((b, i) => (out[i >> 3] |= b << (7 - (i & 7))));
      return out;
    };
    const data = Uint8Array.from(pattern('uint8', 20000).map((v, i) => (i % 3 === 0 ? 7 : v)));
    expect(Array.from(decodeLzw(encode(data), data.length))).toEqual(Array.from(data));
  });
});

describe('TiffFile errors are clear', () => {
  async function err(file: string) {
    return TiffFile.open(file).then(
      () => {
        throw new Error('expected an error');
      },
      (e: unknown) => e,
    );
  }
  it('missing file', async () => {
    const e = await err('/nonexistent/x.tif');
    expect(isStitchgraphError(e, 'InputError')).toBe(true);
    expect(String(e)).toMatch(/Cannot read TIFF \/nonexistent\/x\.tif: no such file/);
  });
  it('not a TIFF', async () => {
    const f = join(tempDir(), 'a.tif');
    writeFileSync(f, 'hello, this is text');
    expect(String(await err(f))).toMatch(/not a TIFF/);
  });
  it('truncated', async () => {
    const f = join(tempDir(), 'a.tif');
    writeFileSync(f, readFileSync(join(DIR, 'u8_none.tif')).subarray(0, 200));
    expect(String(await err(f))).toMatch(/truncated|not a TIFF/);
  });
  it('RGB is not a grayscale stack', async () => {
    const e = await err(join(DIR, 'rgb.tif'));
    expect(isStitchgraphError(e, 'UnsupportedDtype')).toBe(true);
    expect(String(e)).toMatch(/rgb\.tif.*3 samples per pixel/);
  });
});

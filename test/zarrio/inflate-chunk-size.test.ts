import { describe, it, expect } from 'vitest';
import { deflateSync, gzipSync } from 'node:zlib';
import * as zarr from 'zarrita';
import { inflateChunkSize } from '../../src/zarrio/inflate-chunk-size.js';
import { registerCodecs } from '../../src/zarrio/register-codecs.js';

interface BytesCodec {
  decode(bytes: Uint8Array): Promise<Uint8Array>;
}
interface BytesCodecClass {
  fromConfig(config: { level?: number }, meta?: { shape: number[]; dataType: string }): BytesCodec;
}

async function codec(name: 'zlib' | 'gzip', meta?: { shape: number[]; dataType: string }): Promise<BytesCodec> {
  registerCodecs();
  const entry = zarr.registry.get(name);
  if (!entry) throw new Error(`no ${name} codec registered`);
  return ((await entry()) as unknown as BytesCodecClass).fromConfig({ level: 5 }, meta);
}

/** Bytes that compress like image data (a ramp with a little noise), not like zeros. */
function data(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = ((i >> 6) + (s >>> 29)) & 0xff;
  }
  return out;
}

describe('inflateChunkSize', () => {
  it('is the decoded chunk size plus a margin, from the chunk shape and data type', () => {
    expect(inflateChunkSize({ shape: [64, 128, 128], dataType: 'uint16' })).toBe(64 * 128 * 128 * 2 + 64);
    expect(inflateChunkSize({ shape: [2, 3], dataType: 'float64' })).toBe(48 + 64);
    expect(inflateChunkSize({ shape: [1], dataType: 'bool' })).toBe(65);
  });

  it('gives no hint where the chunk size is not known or not plausible', () => {
    expect(inflateChunkSize(undefined)).toBeUndefined();
    expect(inflateChunkSize({ dataType: 'uint16' })).toBeUndefined();
    expect(inflateChunkSize({ shape: [4], dataType: 'v2:object' })).toBeUndefined();
    expect(inflateChunkSize({ shape: [4096, 4096, 4096], dataType: 'uint16' })).toBeUndefined();
    expect(inflateChunkSize({ shape: [0, 4], dataType: 'uint8' })).toBeUndefined();
  });
});

describe('zlib and gzip chunks inflate to the same bytes whatever the hint', () => {
  const raw = data(100_000);
  const hints = [undefined, { shape: [100_000], dataType: 'uint8' }, { shape: [1000], dataType: 'uint8' }, { shape: [4, 100_000], dataType: 'uint16' }];
  it.each(hints.map((h) => [JSON.stringify(h ?? null), h] as const))('hint %s', async (_label, hint) => {
    expect(await (await codec('zlib', hint)).decode(deflateSync(raw))).toEqual(raw);
    expect(await (await codec('gzip', hint)).decode(gzipSync(raw))).toEqual(raw);
  });
});

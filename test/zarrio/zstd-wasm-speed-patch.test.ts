import { describe, it, expect } from 'vitest';
import Zstd from 'numcodecs/zstd';
import { ZstdWasm } from '../../src/zarrio/zstd-wasm.js';

/*
 * csrc/blosc-zstd/zstd-wasm32-speed.patch changes how zstd reads its bitstreams on wasm32 (a 64-bit
 * container) and how it copies matches with offsets below 16 (16 bytes at a time from two periods
 * back). Frames that lean on both: runs of short periods (every offset 1 to 40) of every length,
 * literals between them, streams shorter than the container, at fast and strong levels.
 */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
}

function periodicRuns(n: number, seed: number): Uint8Array {
  const rnd = lcg(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const period = 1 + (rnd() % 40);
    const length = 1 + (rnd() % 3000);
    for (let k = 0; k < period && i + k < n; k++) out[i + k] = rnd() & 0xff;
    for (let k = period; k < length && i + k < n; k++) out[i + k] = out[i + k - period];
    i += length;
    for (let k = rnd() % 24; k > 0 && i < n; k--) out[i++] = rnd() & 0xff; // literals
  }
  return out;
}

describe('zstd-wasm32-speed.patch', () => {
  const decoder = new ZstdWasm();

  it('decodes runs of every short period, and streams shorter than 8 bytes, to the bytes that went in', async () => {
    const cases: [string, Uint8Array][] = [];
    for (const n of [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 33]) cases.push([`random n=${n}`, new Uint8Array(n).map(lcg(n))]);
    for (const seed of [1, 2, 3]) cases.push([`periodic runs seed ${seed}`, periodicRuns(150_000, seed)]);
    for (let period = 1; period <= 16; period++) {
      const rnd = lcg(period);
      const run = new Uint8Array(20_000 + period).map((_, i) => (i < period ? rnd() & 0xff : 0));
      for (let i = period; i < run.length; i++) run[i] = run[i - period];
      cases.push([`one run period ${period}`, run]);
    }
    for (const level of [1, 5, 19]) {
      for (const [name, data] of cases) {
        const frame = await new Zstd(level).encode(data);
        const out = decoder.decompress(frame, data.length);
        expect(out.length, `${name} level ${level}`).toBe(data.length);
        expect(Buffer.from(out).equals(Buffer.from(data)), `${name} level ${level}`).toBe(true);
      }
    }
  });
});

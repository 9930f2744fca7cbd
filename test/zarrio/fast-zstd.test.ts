import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import Zstd from 'numcodecs/zstd';
import { createHash } from 'node:crypto';
import { loadFastZstd, loadZstdStream, zstdFrameContentSize } from '../../src/zarrio/fast-zstd.js';
import { zstdWasm, zstdWasmSha256 } from '../../src/zarrio/zstd-wasm.wasm.js';

function frameHeader(fhd: number, rest: number[]): Uint8Array {
  return new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, fhd, ...rest, 0, 0, 0, 0, 0, 0, 0, 0]);
}

describe('zstdFrameContentSize (RFC 8878 frame header)', () => {
  it('reads every Frame_Content_Size width and says undefined when the size is absent', () => {
    // single segment, 1-byte size
    expect(zstdFrameContentSize(frameHeader(0x20, [200]))).toBe(200);
    // 2-byte size is stored minus 256; a window descriptor byte comes first without single segment
    expect(zstdFrameContentSize(frameHeader(0x40, [0x58, 0x34, 0x12]))).toBe(0x1234 + 256);
    // 4-byte size after a 1-byte dictionary id
    expect(zstdFrameContentSize(frameHeader(0x81, [0x58, 7, 0x78, 0x56, 0x34, 0x12]))).toBe(0x12345678);
    // 8-byte size
    expect(zstdFrameContentSize(frameHeader(0xc0, [0x58, 1, 0, 0, 0, 1, 0, 0, 0]))).toBe(2 ** 32 + 1);
    // single segment: no window descriptor before the size
    expect(zstdFrameContentSize(frameHeader(0xe0, [1, 0, 0, 0, 1, 0, 0, 0]))).toBe(2 ** 32 + 1);
    // no size field (flag 0, not single segment), not a zstd frame
    expect(zstdFrameContentSize(frameHeader(0x00, [0x58]))).toBeUndefined();
    expect(zstdFrameContentSize(new Uint8Array([1, 2, 3, 4, 5, 6, 7]))).toBeUndefined();
  });
});

describe('loadFastZstd', () => {
  it('decodes frames written by numcodecs.js and by zarr-python numcodecs to the bytes that went in', async () => {
    const fast = await loadFastZstd();
    let seed = 5;
    for (const n of [0, 1, 255, 256, 70_000, 1_000_003]) {
      const data = new Uint8Array(n).map((_, i) => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return (i >> 4) + (seed >>> 30);
      });
      const frame = await new Zstd(5).encode(data);
      const out = fast(frame);
      expect(out, `n=${n}`).not.toBeNull();
      expect(Buffer.from(out as Uint8Array).equals(Buffer.from(data)), `n=${n}`).toBe(true);
    }
    const py = execFileSync('/usr/bin/python3', ['-c', "import sys, numpy as np, numcodecs; d = (np.arange(300000) % 1000).astype('<u2'); sys.stdout.buffer.write(numcodecs.Zstd(level=3).encode(d))"]);
    const out = fast(new Uint8Array(py)) as Uint8Array;
    const want = new Uint16Array(300000).map((_, i) => i % 1000);
    expect(Buffer.from(out).equals(Buffer.from(want.buffer))).toBe(true);
  });

  it('returns null (numcodecs.js takes over) for truncated frames and frames without a stated size', async () => {
    const fast = await loadFastZstd();
    const frame = await new Zstd(5).encode(new Uint8Array(100_000).map((_, i) => i % 251));
    expect(fast(frame.subarray(0, frame.length - 10))).toBeNull();
    // A size that the frame does not decode to (a header edited to claim one byte more).
    const liar = frame.slice();
    expect(liar[4]).toBe(0xa0); // single segment, 4-byte size at byte 5
    liar[5]++;
    expect(zstdFrameContentSize(liar)).toBe(100_001);
    expect(fast(liar)).toBeNull();
    expect(fast(frameHeader(0x00, [0x58]))).toBeNull();
    // The decoder is still sound after failures.
    expect(fast(frame)?.length).toBe(100_000);
  });
});

describe('loadZstdStream', () => {
  it('decodes inside its WebAssembly heap (no buffer allocated per stream): results are views of one memory', async () => {
    const decompress = await loadZstdStream();
    const data = new Uint8Array(50_000).map((_, i) => (i * 7) % 13);
    const frame = await new Zstd(3).encode(data);
    const a = decompress(frame, data.length);
    expect(Buffer.from(a).equals(Buffer.from(data))).toBe(true);
    const b = decompress(frame, data.length);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(b.buffer.byteLength).toBeGreaterThan(data.length);
  });

  it('grows its heap for a stream larger than any before, and decodes a truncated stream to nothing', async () => {
    const decompress = await loadZstdStream();
    const big = new Uint8Array(3_000_000).map((_, i) => (i * 31 + (i >> 9)) % 251);
    const frame = await new Zstd(5).encode(big);
    expect(Buffer.from(decompress(frame, big.length)).equals(Buffer.from(big))).toBe(true);
    expect(decompress(frame.subarray(0, frame.length >> 1), big.length).length).toBe(0);
  });
});

describe('the Huffman fast loop on 32-bit WebAssembly (csrc/blosc-zstd/huf-fast-wasm32.patch)', () => {
  it('decodes frames of every size and entropy, at low and high levels, to the bytes that went in', async () => {
    const decompress = await loadZstdStream();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
    let checked = 0;
    for (let k = 0; k < 60; k++) {
      const n = Math.floor(rnd() ** 3 * 400_000) + 1;
      // Skewed bytes (Huffman-coded literals) with runs (matches), entropy varying per buffer.
      const spread = 1 + Math.floor(rnd() * 200);
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = rnd() < 0.3 && i > 64 ? data[i - 1 - Math.floor(rnd() * 64)] : Math.floor(rnd() ** 2 * spread);
      const frame = await new Zstd([1, 3, 9, 19][k % 4]).encode(data);
      const out = decompress(frame, n);
      expect(Buffer.from(out).equals(Buffer.from(data)), `buffer ${k}: ${n} bytes, spread ${spread}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(60);
  }, 60_000);
});

describe('the committed zstd module', () => {
  it('is the module its header describes (built by scripts/build-zstd-wasm.sh, not edited)', () => {
    expect(createHash('sha256').update(Buffer.from(zstdWasm, 'base64')).digest('hex')).toBe(zstdWasmSha256);
  });
});

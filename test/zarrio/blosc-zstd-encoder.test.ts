import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import Blosc from 'numcodecs/blosc';
import { bloscZstdEncoder, BLOSC_ZSTD_BLOCKSIZE } from '../../src/zarrio/blosc-zstd-encoder.js';
import { bloscZstdEncoderWasm, bloscZstdEncoderWasmSha256 } from '../../src/zarrio/blosc-zstd-encoder.wasm.js';
import { zstdWasmDecoder } from '../../src/zarrio/zstd-wasm.js';
import { Random } from '../../src/synth/random.js';

/** Smooth image-like values plus noise (compressible), or noise only (not). */
function samples(n: number, typesize: number, noiseOnly: boolean, seed: number): Uint8Array {
  const rng = new Random(seed);
  const bytes = new Uint8Array(n * typesize);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const v = noiseOnly ? rng.next() * 2 ** (8 * Math.min(typesize, 3)) : 500 + 200 * Math.sin(i / 37) + 20 * rng.next();
    if (typesize === 1) dv.setUint8(i, Math.floor(v) & 255);
    else if (typesize === 2) dv.setUint16(2 * i, Math.floor(v), true);
    else dv.setFloat32(4 * i, v, true);
  }
  return bytes;
}

const CASES: [string, Uint8Array, number][] = [
  ['uint16, several blocks and a leftover', samples(300_001, 2, false, 1), 2],
  ['float32, one block', samples(20_000, 4, false, 2), 4],
  ['uint8 noise (stored raw)', samples(BLOSC_ZSTD_BLOCKSIZE + 5, 1, true, 3), 1],
  ['uint16 smaller than an element row', samples(3, 2, false, 4), 2],
  ['empty', new Uint8Array(0), 2],
];

describe('blosc-zstd encoder (WebAssembly)', () => {
  it('is the module its build script wrote', () => {
    expect(createHash('sha256').update(Buffer.from(bloscZstdEncoderWasm, 'base64')).digest('hex')).toBe(bloscZstdEncoderWasmSha256);
  });

  for (const [name, data, typesize] of CASES)
    it(`writes frames our decoder and numcodecs.js read back (${name})`, async () => {
      const frame = bloscZstdEncoder().encode(data, typesize);
      expect(frame[0]).toBe(2);
      expect(frame.length).toBeLessThanOrEqual(data.length + 16);
      expect(Buffer.from(zstdWasmDecoder().decodeBlosc(frame)).equals(Buffer.from(data))).toBe(true);
      const codec = Blosc.fromConfig({ id: 'blosc', cname: 'zstd', clevel: 1, shuffle: 1, blocksize: 0 });
      expect(Buffer.from(await codec.decode(frame)).equals(Buffer.from(data))).toBe(true);
    });

  it('writes frames c-blosc (zarr-python 2 numcodecs) reads back, smaller than the input when it compresses', () => {
    const [, data, typesize] = CASES[0];
    const frame = bloscZstdEncoder().encode(data, typesize);
    expect(frame.length).toBeLessThan(data.length / 1.5);
    const script = 'import sys, hashlib, numcodecs; f = sys.stdin.buffer.read(); sys.stdout.write(hashlib.sha256(numcodecs.Blosc().decode(f)).hexdigest())';
    const digest = execFileSync('/usr/bin/python3', ['-c', script], { input: frame }).toString();
    expect(digest).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

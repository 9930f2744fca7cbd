import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Blosc from 'numcodecs/blosc';
import { decodeBlosc } from '../../src/zarrio/blosc-decode.js';
import { loadFastBlosc, type FastBlosc } from '../../src/zarrio/fast-blosc.js';
import { loadZstdStream } from '../../src/zarrio/fast-zstd.js';
import type { StreamDecompress } from '../../src/zarrio/blosc-decode.js';
import { isStitchgraphError } from '../../src/errors.js';

/**
 * Frames made by the C library itself (numcodecs' c-blosc, through Debian's zarr-python stack):
 * every shuffle mode, typesizes 1, 2, 4, 8, forced block sizes that leave a short last block,
 * element counts not a multiple of 8, split and unsplit streams (BLOSC_SPLITMODE), clevel 0
 * (memcpyed), incompressible blocks (streams stored raw) and lz4 (not ours: null). The truth is
 * the bytes that went in (only frames the C library itself reads back are kept); numcodecs.js'
 * wasm blosc must agree byte for byte too.
 */
const MAKE_FRAMES = String.raw`
import base64, json, os, sys
import numpy as np
from numcodecs import blosc
rng = np.random.default_rng(3)
cases = []
def add(name, data, cname, clevel, shuffle, blocksize, split):
    os.environ['BLOSC_SPLITMODE'] = split
    frame = blosc.compress(np.ascontiguousarray(data), cname.encode(), clevel, shuffle, blocksize)
    try:
        ok = blosc.decompress(frame) == data.tobytes()
    except RuntimeError:
        ok = False
    if not ok:
        # c-blosc's forced split writes small blocks (< 128 elements) split but reads them
        # unsplit: its own decoder fails there, so such frames do not exist in Zarr stores.
        return
    cases.append({'name': name, 'cname': cname, 'frame': base64.b64encode(frame).decode(), 'raw': base64.b64encode(data.tobytes()).decode()})
for dt in ['u1', 'u2', 'u4', 'u8']:
    for n in [1, 7, 100, 1000, 4099, 20000]:
        smooth = (np.arange(n) * 7 // 3 + rng.integers(0, 4, n)).astype('<' + dt)
        for shuffle in [0, 1, 2]:
            for bs in [0, 256, 1000]:
                for split in ['ALWAYS', 'NEVER']:
                    add(f'{dt} n={n} shuffle={shuffle} blocksize={bs} {split}', smooth, 'zstd', 5, shuffle, bs, split)
        noise = rng.integers(0, 2 ** (8 * min(int(dt[1]), 4)) - 1, n, dtype='u8').astype('<' + dt)
        add(f'{dt} n={n} noise', noise, 'zstd', 5, 1, 0, 'FORWARD_COMPAT')
        add(f'{dt} n={n} noise bitshuffle', noise, 'zstd', 5, 2, 256, 'ALWAYS')
        add(f'{dt} n={n} clevel 0', smooth, 'zstd', 0, 1, 0, 'FORWARD_COMPAT')
add('lz4', (np.arange(5000) % 300).astype('<u2'), 'lz4', 5, 1, 0, 'FORWARD_COMPAT')
json.dump(cases, sys.stdout)
`;

interface Case {
  name: string;
  cname: string;
  frame: string;
  raw: string;
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

let cases: Case[] = [];
let fast: FastBlosc;
let zstd: StreamDecompress;
const numcodecs = Blosc.fromConfig({ cname: 'zstd', clevel: 5, shuffle: 1 });

beforeAll(async () => {
  cases = JSON.parse(execFileSync('/usr/bin/python3', ['-c', MAKE_FRAMES], { encoding: 'utf8', maxBuffer: 256 << 20 })) as Case[];
  fast = await loadFastBlosc();
  zstd = await loadZstdStream();
});

describe('decodeBlosc on frames written by c-blosc (zarr-python numcodecs)', () => {
  it('covers the header variants it claims to', () => {
    const flags = new Set(cases.map((c) => b64(c.frame)[2]));
    // byte shuffle, bit shuffle, none; split and unsplit; memcpyed.
    expect([...flags].some((f) => (f & 0x01) !== 0 && (f & 0x10) === 0)).toBe(true);
    expect([...flags].some((f) => (f & 0x04) !== 0 && (f & 0x10) !== 0)).toBe(true);
    expect([...flags].some((f) => (f & 0x02) !== 0)).toBe(true);
    expect(cases.length).toBeGreaterThan(300);
  });

  it('decodes every zstd frame to the bytes that were compressed, as numcodecs.js does (WebAssembly frame decoder and TypeScript reference)', async () => {
    let checked = 0;
    for (const c of cases.filter((x) => x.cname === 'zstd')) {
      const frame = b64(c.frame);
      const raw = b64(c.raw);
      const reference = decodeBlosc(frame, { zstd });
      expect(Buffer.from(reference as Uint8Array).equals(Buffer.from(raw)), c.name).toBe(true);
      const ours = fast(frame);
      expect(ours, c.name).not.toBeNull();
      expect(Buffer.from(ours as Uint8Array).equals(Buffer.from(raw)), c.name).toBe(true);
      const theirs = await numcodecs.decode(frame);
      expect(Buffer.from(theirs).equals(Buffer.from(ours as Uint8Array)), c.name).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('leaves frames of other inner codecs (lz4) to the caller: null', () => {
    const lz4 = cases.find((c) => c.cname === 'lz4') as Case;
    expect(fast(b64(lz4.frame))).toBeNull();
    expect(decodeBlosc(b64(lz4.frame), {})).toBeNull();
  });

  it('rejects a damaged frame with a ChunkDecodeError', () => {
    const c = cases.find((x) => x.name === 'u2 n=20000 shuffle=1 blocksize=1000 NEVER') as Case;
    const frame = b64(c.frame);
    let err: unknown;
    try {
      fast(frame.subarray(0, frame.length - 100));
    } catch (e) {
      err = e;
    }
    expect(isStitchgraphError(err, 'ChunkDecodeError')).toBe(true);
    const bad = frame.slice();
    bad.fill(0x55, 60, 200); // garbage inside the first zstd stream
    expect(() => fast(bad)).toThrow();
  });
});

describe('decodeBlosc on frames written by numcodecs.js (typesize 4)', () => {
  it.each([
    ['noshuffle', 0],
    ['shuffle', 1],
    ['bitshuffle', 2],
  ] as const)('%s, odd sizes and forced block sizes, clevel 0 and 5', async (_name, shuffle) => {
    let seed = 99;
    for (const n of [3, 33, 1000, 5001, 65537]) {
      const data = new Uint8Array(n).map((_, i) => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return (i >> 3) + (seed >>> 29);
      });
      for (const clevel of [0, 5]) {
        for (const blocksize of [0, 512, 3000]) {
          const frame = await new Blosc(clevel, 'zstd', shuffle, blocksize).encode(data);
          const ours = fast(frame);
          expect(ours, `n=${n} clevel=${clevel} blocksize=${blocksize}`).not.toBeNull();
          expect(Buffer.from(ours as Uint8Array).equals(Buffer.from(data)), `n=${n} clevel=${clevel} blocksize=${blocksize}`).toBe(true);
        }
      }
    }
  });
});

describe('decodeBlosc on the zarr-python v2 fixture', () => {
  it('blosc_zstd_bitshuffle chunks decode as numcodecs.js decodes them', async () => {
    const dir = fileURLToPath(new URL('../fixtures/zarr-v2/fixture.zarr/blosc_zstd_bitshuffle/', import.meta.url));
    const files = readdirSync(dir).filter((f) => !f.startsWith('.'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const frame = new Uint8Array(readFileSync(dir + f));
      const ours = fast(frame) as Uint8Array;
      expect(Buffer.from(ours).equals(Buffer.from(await numcodecs.decode(frame))), f).toBe(true);
    }
  });
});

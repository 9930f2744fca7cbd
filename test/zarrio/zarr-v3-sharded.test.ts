import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Zstd from 'numcodecs/zstd';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import { tempDir, countingStore, pattern } from './_helpers.js';

const SHAPE = [3, 6, 7];
const SHARD = [2, 4, 4];
const INNER = [1, 2, 2];
const EMPTY = 2n ** 64n - 1n;

/**
 * Write a sharded v3 uint16 array by hand, following the sharding spec (index at the end,
 * uint64 little-endian (offset, nbytes) per inner chunk in C order, 2^64-1 for absent chunks),
 * since zarrita cannot write shards. Inner chunk (0,1,0) of shard (0,0,0) is left absent.
 */
async function writeSharded(dir: string, values: Uint16Array): Promise<void> {
  const meta = {
    zarr_format: 3,
    node_type: 'array',
    shape: SHAPE,
    data_type: 'uint16',
    chunk_grid: { name: 'regular', configuration: { chunk_shape: SHARD } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    fill_value: 7,
    codecs: [
      {
        name: 'sharding_indexed',
        configuration: {
          chunk_shape: INNER,
          codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'zstd', configuration: { level: 1, checksum: false } }],
          index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
          index_location: 'end',
        },
      },
    ],
    attributes: {},
  };
  mkdirSync(join(dir, 'sh'), { recursive: true });
  writeFileSync(join(dir, 'sh/zarr.json'), JSON.stringify(meta));
  const zstd = Zstd.fromConfig({ level: 1 });
  const per = SHARD.map((s, i) => s / INNER[i]);
  for (let sz = 0; sz < 2; sz++)
    for (let sy = 0; sy < 2; sy++)
      for (let sx = 0; sx < 2; sx++) {
        const parts: Uint8Array[] = [];
        const index = new BigUint64Array(per[0] * per[1] * per[2] * 2);
        let offset = 0;
        let k = 0;
        for (let iz = 0; iz < per[0]; iz++)
          for (let iy = 0; iy < per[1]; iy++)
            for (let ix = 0; ix < per[2]; ix++, k++) {
              const o = [sz * SHARD[0] + iz * INNER[0], sy * SHARD[1] + iy * INNER[1], sx * SHARD[2] + ix * INNER[2]];
              if ((sz === 0 && sy === 0 && sx === 0 && iz === 0 && iy === 1 && ix === 0) || o[0] >= SHAPE[0]) {
                index[2 * k] = EMPTY;
                index[2 * k + 1] = EMPTY;
                continue;
              }
              const chunk = new Uint16Array(INNER[0] * INNER[1] * INNER[2]);
              for (let y = 0; y < INNER[1]; y++)
                for (let x = 0; x < INNER[2]; x++) {
                  const gy = o[1] + y;
                  const gx = o[2] + x;
                  chunk[y * INNER[2] + x] = gy < SHAPE[1] && gx < SHAPE[2] ? values[(o[0] * SHAPE[1] + gy) * SHAPE[2] + gx] : 0;
                }
              const enc = await zstd.encode(new Uint8Array(chunk.buffer));
              parts.push(enc);
              index[2 * k] = BigInt(offset);
              index[2 * k + 1] = BigInt(enc.length);
              offset += enc.length;
            }
        mkdirSync(join(dir, `sh/c/${sz}/${sy}`), { recursive: true });
        writeFileSync(join(dir, `sh/c/${sz}/${sy}/${sx}`), Buffer.concat([...parts, new Uint8Array(index.buffer)]));
      }
}

describe('Zarr v3 sharded arrays (read)', () => {
  it('read back identical, absent inner chunks as the fill value, with range reads only', async () => {
    const dir = tempDir();
    const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
    const values = Uint16Array.from(pattern('uint16', n));
    await writeSharded(dir, values);
    const t = await openTileArray(openFileStore(dir), 'sh', '', { cache: null });
    expect(t.codecs).toEqual(['sharding_indexed(bytes,zstd)']);
    expect(t.chunks).toEqual([1, 2, 2]);
    const r = await t.readRegion({ start: [0, 0, 0], size: [3, 6, 7] });
    for (let z = 0; z < 3; z++)
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 7; x++) {
          const i = (z * 6 + y) * 7 + x;
          expect(r.data[i]).toBe(z === 0 && y >= 2 && y < 4 && x < 2 ? 7 : values[i]);
        }
    const { store, gets } = countingStore(dir);
    const t2 = await openTileArray(store, 'sh', '', { cache: null });
    gets.length = 0;
    // One inner chunk of shard (1,1,1): its index and its bytes, nothing else.
    const one = await t2.readRegion({ start: [2, 4, 4], size: [1, 2, 2] });
    expect(Array.from(one.data)).toEqual([values[(2 * 6 + 4) * 7 + 4], values[(2 * 6 + 4) * 7 + 5], values[(2 * 6 + 5) * 7 + 4], values[(2 * 6 + 5) * 7 + 5]]);
    expect(gets).toEqual(['/sh/c/1/1/1#range', '/sh/c/1/1/1#range']);
  });
});

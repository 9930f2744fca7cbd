import type { TileDtype, TileTypedArray } from '../zarrio/dtypes.js';
import { writeFileAtomic } from '../files/write-atomic.js';

/** NumPy dtype strings (little-endian) of the tile dtypes. */
export const NUMPY_DTYPE: Record<TileDtype, string> = {
  uint8: '|u1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
};

/** An array as .npy bytes (format 1.0, C order; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html). */
export function encodeNpy(data: TileTypedArray, shape: number[], dtype: TileDtype): Uint8Array {
  let header = `{'descr': '${NUMPY_DTYPE[dtype]}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' padded to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

export async function writeNpy(path: string, data: TileTypedArray, shape: number[], dtype: TileDtype): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape, dtype));
}

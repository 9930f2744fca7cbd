import type { TileDtype, TileTypedArray } from '../zarrio/dtypes.js';
import { writeFileAtomic } from '../files/write-atomic.js';

const SAMPLE: Record<TileDtype, [bits: number, format: number]> = {
  uint8: [8, 1],
  uint16: [16, 1],
  int16: [16, 2],
  uint32: [32, 1],
  int32: [32, 2],
  float32: [32, 3],
  float64: [64, 3],
};

/**
 * A (d, h, w) stack as a little-endian baseline TIFF, one uncompressed greyscale page per plane
 * (TIFF 6.0; utif only writes 8-bit RGBA). tifffile and ImageJ read the pages as a stack.
 */
export function encodeTiffStack(data: TileTypedArray, shape: [number, number, number], dtype: TileDtype): Uint8Array {
  const [d, h, w] = shape;
  const [bits, format] = SAMPLE[dtype];
  const planeBytes = h * w * (bits / 8);
  // Every IFD must start on a word boundary.
  const planeStride = planeBytes + (planeBytes % 2);
  const nTags = 10;
  const ifdBytes = 2 + nTags * 12 + 4;
  const headerBytes = 8;
  const total = headerBytes + d * (ifdBytes + planeStride);
  if (total > 0xffffffff) throw new RangeError(`Cannot write a TIFF of ${total} bytes: over 4 GiB (write .zarr instead)`);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, headerBytes, true);
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let pos = headerBytes;
  for (let k = 0; k < d; k++) {
    const ifd = pos;
    const strip = ifd + ifdBytes;
    const tags: [number, number, number][] = [
      [256, 4, w], // ImageWidth
      [257, 4, h], // ImageLength
      [258, 3, bits], // BitsPerSample
      [259, 3, 1], // Compression: none
      [262, 3, 1], // Photometric: black is zero
      [273, 4, strip], // StripOffsets
      [277, 3, 1], // SamplesPerPixel
      [278, 4, h], // RowsPerStrip
      [279, 4, planeBytes], // StripByteCounts
      [339, 3, format], // SampleFormat
    ];
    dv.setUint16(ifd, nTags, true);
    tags.forEach(([tag, type, value], i) => {
      const e = ifd + 2 + i * 12;
      dv.setUint16(e, tag, true);
      dv.setUint16(e + 2, type, true);
      dv.setUint32(e + 4, 1, true);
      if (type === 3) dv.setUint16(e + 8, value, true);
      else dv.setUint32(e + 8, value, true);
    });
    const next = k + 1 < d ? strip + planeStride : 0;
    dv.setUint32(ifd + 2 + nTags * 12, next, true);
    out.set(src.subarray(k * planeBytes, (k + 1) * planeBytes), strip);
    pos = strip + planeStride;
  }
  return out;
}

export async function writeTiffStack(path: string, data: TileTypedArray, shape: [number, number, number], dtype: TileDtype): Promise<void> {
  await writeFileAtomic(path, encodeTiffStack(data, shape, dtype));
}

import type { Vec3 } from '../geometry/box.js';
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

/** What Fiji needs to open a stack at its true size: voxel size (z, y, x) in µm. */
export interface TiffCalibration {
  voxelSize_um: Vec3;
  /** Position of voxel (0, 0, 0) in µm (z, y, x), written as ImageJ's origin. @default [0, 0, 0] */
  origin_um?: Vec3;
}

type TagType = 2 | 3 | 4 | 5; // ASCII, SHORT, LONG, RATIONAL
interface Tag {
  tag: number;
  type: TagType;
  /** SHORT/LONG: the value; RATIONAL: [numerator, denominator]; ASCII: the text. */
  value: number | [number, number] | string;
}

/** Bytes a tag's value takes when it does not fit in the IFD entry's 4 bytes (0 when it does). */
function outOfLineBytes(t: Tag): number {
  if (t.type === 5) return 8;
  if (t.type === 2) {
    const n = (t.value as string).length + 1;
    return n <= 4 ? 0 : n + (n % 2);
  }
  return 0;
}

/**
 * ImageJ's hyperstack description and resolution tags (as ImageJ's TiffEncoder writes them):
 * pixels per µm in X/YResolution with ResolutionUnit none, and `unit`, `spacing` (z) and the
 * origin in the description. tifffile reads them as `imagej_metadata` and the resolution tags.
 */
function imagejTags(depth: number, cal: TiffCalibration): Tag[] {
  const [vz, vy, vx] = cal.voxelSize_um;
  const origin = cal.origin_um ?? [0, 0, 0];
  const description = [
    'ImageJ=1.54f',
    `images=${depth}`,
    ...(depth > 1 ? [`slices=${depth}`] : []),
    'unit=micron',
    `spacing=${vz}`,
    `xorigin=${-origin[2] / vx}`,
    `yorigin=${-origin[1] / vy}`,
    `zorigin=${-origin[0] / vz}`,
    'loop=false',
    '',
  ].join('\n');
  const rational = (pixelsPerUm: number): [number, number] => {
    const den = 1_000_000;
    return [Math.round(pixelsPerUm * den), den];
  };
  return [
    { tag: 270, type: 2, value: description },
    { tag: 282, type: 5, value: rational(1 / vx) },
    { tag: 283, type: 5, value: rational(1 / vy) },
    { tag: 296, type: 3, value: 1 },
  ];
}

function writeTag(dv: DataView, entry: number, t: Tag, extra: number): void {
  dv.setUint16(entry, t.tag, true);
  dv.setUint16(entry + 2, t.type, true);
  if (t.type === 2) {
    const text = t.value as string;
    dv.setUint32(entry + 4, text.length + 1, true);
    const at = outOfLineBytes(t) ? extra : entry + 8;
    if (outOfLineBytes(t)) dv.setUint32(entry + 8, extra, true);
    for (let i = 0; i < text.length; i++) dv.setUint8(at + i, text.charCodeAt(i) & 0x7f);
    return;
  }
  dv.setUint32(entry + 4, 1, true);
  if (t.type === 5) {
    const [num, den] = t.value as [number, number];
    dv.setUint32(entry + 8, extra, true);
    dv.setUint32(extra, num, true);
    dv.setUint32(extra + 4, den, true);
  } else if (t.type === 3) dv.setUint16(entry + 8, t.value as number, true);
  else dv.setUint32(entry + 8, t.value as number, true);
}

/**
 * A (d, h, w) stack as a little-endian baseline TIFF, one uncompressed greyscale page per plane
 * (TIFF 6.0; utif only writes 8-bit RGBA). tifffile and ImageJ read the pages as a stack; with a
 * calibration the first page carries ImageJ's metadata, so Fiji opens it at its voxel size.
 */
export function encodeTiffStack(data: TileTypedArray, shape: [number, number, number], dtype: TileDtype, calibration?: TiffCalibration): Uint8Array {
  const [d, h, w] = shape;
  const [bits, format] = SAMPLE[dtype];
  const planeBytes = h * w * (bits / 8);
  const planeStride = planeBytes + (planeBytes % 2); // every IFD on a word boundary
  const pageTags = (k: number, strip: number): Tag[] =>
    [
      { tag: 256, type: 4, value: w },
      { tag: 257, type: 4, value: h },
      { tag: 258, type: 3, value: bits },
      { tag: 259, type: 3, value: 1 }, // no compression
      { tag: 262, type: 3, value: 1 }, // black is zero
      { tag: 273, type: 4, value: strip },
      { tag: 277, type: 3, value: 1 },
      { tag: 278, type: 4, value: h },
      { tag: 279, type: 4, value: planeBytes },
      { tag: 339, type: 3, value: format },
      ...(calibration && k === 0 ? imagejTags(d, calibration) : []),
    ].sort((a, b) => a.tag - b.tag) as Tag[];
  const pageLayout = (k: number) => {
    const tags = pageTags(k, 0);
    const extra = tags.reduce((s, t) => s + outOfLineBytes(t), 0);
    return { ifdBytes: 2 + tags.length * 12 + 4, extra };
  };
  const first = pageLayout(0);
  const rest = pageLayout(1);
  const total = 8 + first.ifdBytes + first.extra + planeStride + (d - 1) * (rest.ifdBytes + rest.extra + planeStride);
  if (total > 0xffffffff) throw new RangeError(`Cannot write a TIFF of ${total} bytes: over 4 GiB (write .zarr instead)`);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let pos = 8;
  for (let k = 0; k < d; k++) {
    const { ifdBytes, extra } = k === 0 ? first : rest;
    const strip = pos + ifdBytes + extra;
    const tags = pageTags(k, strip);
    dv.setUint16(pos, tags.length, true);
    let extraAt = pos + ifdBytes;
    tags.forEach((t, i) => {
      writeTag(dv, pos + 2 + i * 12, t, extraAt);
      extraAt += outOfLineBytes(t);
    });
    const next = k + 1 < d ? strip + planeStride : 0;
    dv.setUint32(pos + 2 + tags.length * 12, next, true);
    out.set(src.subarray(k * planeBytes, (k + 1) * planeBytes), strip);
    pos = strip + planeStride;
  }
  return out;
}

export async function writeTiffStack(path: string, data: TileTypedArray, shape: [number, number, number], dtype: TileDtype, calibration?: TiffCalibration): Promise<void> {
  await writeFileAtomic(path, encodeTiffStack(data, shape, dtype, calibration));
}

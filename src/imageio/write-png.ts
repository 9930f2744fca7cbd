import { deflateSync } from 'node:zlib';
import { writeFileAtomic } from '../files/write-atomic.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit greyscale PNG (PNG spec, W3C 2003: IHDR, IDAT deflated with filter 0 per row, IEND). */
export function encodePngGray8(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Contrast-scale a float plane to 8 bits between its `lowPct` and `highPct` percentiles (from a
 * subsample), as viewers do by default; NaN shows black.
 */
export function contrastScale(plane: ArrayLike<number>, lowPct = 0.5, highPct = 99.5): Uint8Array {
  const step = Math.max(1, Math.floor(plane.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < plane.length; i += step) if (plane[i] === plane[i]) sample.push(plane[i]);
  sample.sort((a, b) => a - b);
  const lo = sample.length ? sample[Math.floor(((sample.length - 1) * lowPct) / 100)] : 0;
  const hi = sample.length ? sample[Math.ceil(((sample.length - 1) * highPct) / 100)] : 1;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const out = new Uint8Array(plane.length);
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i];
    out[i] = v !== v ? 0 : Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
  }
  return out;
}

export async function writePngPlane(path: string, plane: ArrayLike<number>, width: number, height: number): Promise<void> {
  await writeFileAtomic(path, encodePngGray8(contrastScale(plane), width, height));
}

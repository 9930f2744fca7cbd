import { readFile } from 'node:fs/promises';
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { StitchgraphError } from '../errors.js';

/** One 2-D image as a grey plane (row-major, h × w). */
export interface FlatImage {
  width: number;
  height: number;
  dtype: 'uint8' | 'uint16';
  data: Uint8Array | Uint16Array;
  /** How the pixels were turned into one grey value, for provenance. */
  note: string;
}

/** Luma (ITU-R BT.601) of interleaved colour samples: what "grey" means for a colour micrograph. */
function luma(src: ArrayLike<number>, channels: number, n: number, out: Uint8Array | Uint16Array): void {
  for (let i = 0, s = 0; i < n; i++, s += channels) out[i] = Math.round(0.299 * src[s] + 0.587 * src[s + 1] + 0.114 * src[s + 2]);
}

function isGreyRgb(src: ArrayLike<number>, channels: number, n: number): boolean {
  for (let i = 0, s = 0; i < n; i++, s += channels) if (src[s] !== src[s + 1] || src[s] !== src[s + 2]) return false;
  return true;
}

function toGrey(src: ArrayLike<number>, channels: number, width: number, height: number, dtype: 'uint8' | 'uint16', what: string): FlatImage {
  const n = width * height;
  const data = dtype === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
  if (channels <= 2) {
    for (let i = 0; i < n; i++) data[i] = src[i * channels];
    return { width, height, dtype, data, note: `${what}, grey${channels === 2 ? ' (alpha ignored)' : ''}` };
  }
  if (isGreyRgb(src, channels, n)) {
    for (let i = 0; i < n; i++) data[i] = src[i * channels];
    return { width, height, dtype, data, note: `${what}, RGB with equal channels taken as grey` };
  }
  luma(src, channels, n, data);
  return { width, height, dtype, data, note: `${what}, colour converted to grey (BT.601 luma)` };
}

/**
 * Decode a PNG (fast-png: 8/16-bit grey, grey+alpha, RGB, RGBA, palette) or a baseline/progressive
 * JPEG (jpeg-js) into one grey plane: colour becomes BT.601 luma, alpha is ignored. Tiles are
 * registered on intensity, so one channel is what the pipeline needs.
 */
export async function readFlatImage(file: string, format: 'PNG' | 'JPEG'): Promise<FlatImage> {
  const fail = (reason: string, cause?: unknown) => new StitchgraphError('InputError', `Cannot read ${format} ${file}: ${reason}`, { cause, details: { file } });
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message, err);
  }
  try {
    if (format === 'JPEG') {
      const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 4096, maxResolutionInMP: 1000 });
      return toGrey(img.data, 4, img.width, img.height, 'uint8', 'JPEG');
    }
    const png = decodePng(bytes);
    if (png.palette) return toGrey(convertIndexedToRgb(png), png.palette[0].length, png.width, png.height, 'uint8', 'PNG palette');
    if (png.depth !== 8 && png.depth !== 16) throw fail(`${png.depth}-bit samples are not supported; save it as 8- or 16-bit`);
    return toGrey(png.data, png.channels, png.width, png.height, png.depth === 16 ? 'uint16' : 'uint8', `PNG ${png.depth}-bit`);
  } catch (err) {
    if (err instanceof StitchgraphError) throw err;
    throw fail(`the file is damaged or not a valid ${format} (${(err as Error).message})`, err);
  }
}

import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TiffFile } from './tiff-file.js';
import { readFlatImage } from '../imageio/read-flat-image.js';
import { CONVERT_ADVICE, sniffFormat } from '../files/sniff-format.js';
import { StitchgraphError } from '../errors.js';
import type { TileDtype, TileTypedArray } from '../zarrio/dtypes.js';
import type { Vec3 } from '../geometry/box.js';

/** One tile's source images: a multi-page TIFF stack, a 2-D PNG/JPEG, or a folder of 2-D slices (one per z). */
export interface TileSource {
  shape: Vec3;
  dtype: TileDtype;
  /** What the pages came from, for messages and provenance. */
  describe: string;
  readPlane(z: number): Promise<TileTypedArray>;
  close(): Promise<void>;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Image files a slice folder may hold. */
export const IMAGE_FILE_RE = /\.(tiff?|png|jpe?g)$/i;

/** The pages of one image file (TIFF: its pages; PNG/JPEG: one). */
interface ImagePages {
  file: string;
  shape: Vec3;
  dtype: TileDtype;
  describe: string;
  readPage(i: number): Promise<TileTypedArray>;
  close(): Promise<void>;
}

async function fileHead(path: string): Promise<Uint8Array | undefined> {
  try {
    const fh = await open(path, 'r');
    try {
      const b = Buffer.alloc(16);
      const { bytesRead } = await fh.read(b, 0, 16, 0);
      return b.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

/** Open one image file by what its bytes say it is; other formats get a message naming them. */
async function openImagePages(path: string): Promise<ImagePages> {
  const head = await fileHead(path);
  const format = head ? sniffFormat(head) : undefined;
  if (head && format?.name !== 'TIFF') {
    if (format?.name === 'PNG' || format?.name === 'JPEG') {
      const img = await readFlatImage(path, format.name);
      return { file: path, shape: [1, img.height, img.width], dtype: img.dtype, describe: `${path} (${img.note})`, readPage: async () => img.data, close: async () => {} };
    }
    const what = format ? `a ${format.name} file` : 'not a TIFF, PNG or JPEG file';
    throw new StitchgraphError('InputError', `Cannot import ${path}: it is ${what}; import reads TIFF (8–64-bit, stacks), PNG and JPEG: ${CONVERT_ADVICE}`, { details: { file: path, format: format?.name } });
  }
  // TIFF, or missing / unreadable: TiffFile.open reports it with the path.
  const t = await TiffFile.open(path);
  return { file: t.file, shape: t.shape, dtype: t.dtype, describe: path, readPage: (z) => t.readPage(z), close: () => t.close() };
}

/** Open an image file (TIFF stack, PNG, JPEG) or a folder of 2-D slices (sorted by name, numbers numerically). */
export async function openTileSource(path: string): Promise<TileSource> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    // Missing: let TiffFile.open report it with the path.
  }
  if (!isDir) {
    const t = await openImagePages(path);
    return { shape: t.shape, dtype: t.dtype, describe: t.describe, readPlane: (z) => t.readPage(z), close: () => t.close() };
  }
  const names = (await readdir(path)).filter((n) => IMAGE_FILE_RE.test(n) && !n.startsWith('.')).sort(collator.compare);
  if (names.length === 0) throw TiffFile.fail(path, 'the folder holds no .tif/.tiff/.png/.jpg slices');
  const slices: ImagePages[] = [];
  try {
    for (const n of names) {
      const t = await openImagePages(join(path, n));
      slices.push(t);
      const [d, h, w] = t.shape;
      const [, h0, w0] = slices[0].shape;
      if (d !== 1) throw TiffFile.fail(t.file, `a slice folder needs one 2-D image per file, this one has ${d} pages`);
      if (h !== h0 || w !== w0 || t.dtype !== slices[0].dtype) {
        throw TiffFile.fail(t.file, `slice is ${h}×${w} ${t.dtype} but ${names[0]} is ${h0}×${w0} ${slices[0].dtype}`);
      }
    }
  } catch (err) {
    await Promise.all(slices.map((s) => s.close()));
    throw err;
  }
  const [, h, w] = slices[0].shape;
  return {
    shape: [slices.length, h, w],
    dtype: slices[0].dtype,
    describe: `${path}/ (${slices.length} slices)`,
    readPlane: (z) => slices[z].readPage(0),
    close: async () => {
      await Promise.all(slices.map((s) => s.close()));
    },
  };
}

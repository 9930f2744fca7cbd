import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TiffFile } from './tiff-file.js';
import type { TileDtype, TileTypedArray } from '../zarrio/dtypes.js';
import type { Vec3 } from '../geometry/box.js';

/** One tile's source images: a multi-page TIFF stack, or a folder of 2-D TIFF slices (one per z). */
export interface TileSource {
  shape: Vec3;
  dtype: TileDtype;
  /** What the pages came from, for messages and provenance. */
  describe: string;
  readPlane(z: number): Promise<TileTypedArray>;
  close(): Promise<void>;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Open a TIFF file or a folder of single-page TIFF slices (sorted by name, numbers numerically). */
export async function openTileSource(path: string): Promise<TileSource> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    // Missing: let TiffFile.open report it with the path.
  }
  if (!isDir) {
    const t = await TiffFile.open(path);
    return { shape: t.shape, dtype: t.dtype, describe: path, readPlane: (z) => t.readPage(z), close: () => t.close() };
  }
  const names = (await readdir(path)).filter((n) => /\.tiff?$/i.test(n) && !n.startsWith('.')).sort(collator.compare);
  if (names.length === 0) throw TiffFile.fail(path, 'the folder holds no .tif/.tiff slices');
  const slices: TiffFile[] = [];
  try {
    for (const n of names) {
      const t = await TiffFile.open(join(path, n));
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

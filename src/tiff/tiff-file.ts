import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { StitchgraphError } from '../errors.js';
import { allocTyped, type TileDtype, type TileTypedArray } from '../zarrio/dtypes.js';
import { decodeLzw } from './_lzw.js';

/**
 * A small baseline TIFF reader for grayscale image stacks (TIFF 6.0 and BigTIFF).
 *
 * Why not utif: it decodes from one buffer holding the whole file (stacks are GBs; Node buffers
 * stop at a few GB), inflates through pako copying byte by byte, does not know deflate 32946,
 * and has no types. This reader parses the IFDs once, then reads one page's strips or tiles at a
 * time from the file.
 * Handles: uint8/uint16/int16/uint32/int32/float32/float64, one sample per pixel, strips or tiles,
 * either byte order, compression none / LZW / deflate (8 and 32946) / PackBits, horizontal predictor.
 */
export interface TiffPage {
  width: number;
  height: number;
  dtype: TileDtype;
  bytesPerSample: number;
  compression: number;
  predictor: number;
  /** Strips (rowsPerStrip rows each) or tiles (tileWidth × tileHeight, row-major over the grid). */
  blocks: { offsets: number[]; byteCounts: number[] };
  rowsPerStrip: number;
  tile?: { width: number; height: number };
}

const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SampleFormat: 339,
} as const;

const COMPRESSIONS: Record<number, string> = { 1: 'none', 5: 'LZW', 8: 'deflate', 32946: 'deflate', 32773: 'PackBits' };
// Field type → bytes per value (TIFF 6.0 + BigTIFF).
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

function dtypeOf(bits: number, format: number): TileDtype | undefined {
  const key = `${format}:${bits}`;
  return ({ '1:8': 'uint8', '1:16': 'uint16', '2:16': 'int16', '1:32': 'uint32', '2:32': 'int32', '3:32': 'float32', '3:64': 'float64' } as Record<string, TileDtype>)[key];
}

export class TiffFile {
  readonly file: string;
  readonly littleEndian: boolean;
  readonly pages: TiffPage[];
  #fh: FileHandle;

  private constructor(file: string, fh: FileHandle, littleEndian: boolean, pages: TiffPage[]) {
    this.file = file;
    this.#fh = fh;
    this.littleEndian = littleEndian;
    this.pages = pages;
  }

  /** Width × height of the pages (all the same) and their dtype. */
  get shape(): [number, number, number] {
    return [this.pages.length, this.pages[0].height, this.pages[0].width];
  }

  get dtype(): TileDtype {
    return this.pages[0].dtype;
  }

  static fail(file: string, reason: string, tag: 'InputError' | 'UnsupportedCodec' | 'UnsupportedDtype' = 'InputError', cause?: unknown): StitchgraphError {
    return new StitchgraphError(tag, `Cannot read TIFF ${file}: ${reason}`, { cause, details: { file } });
  }

  /** Open a TIFF and parse its image directories; full-resolution pages only (thumbnails skipped). */
  static async open(file: string): Promise<TiffFile> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw TiffFile.fail(file, code === 'ENOENT' ? 'no such file' : (err as Error).message, 'InputError', err);
    }
    try {
      const size = (await fh.stat()).size;
      const read = async (offset: number, n: number): Promise<DataView> => {
        if (offset + n > size) throw TiffFile.fail(file, `truncated (wants bytes ${offset}..${offset + n} of ${size})`);
        const b = Buffer.alloc(n);
        await fh.read(b, 0, n, offset);
        return new DataView(b.buffer, b.byteOffset, n);
      };
      if (size < 8) throw TiffFile.fail(file, 'not a TIFF file (too short)');
      const head = await read(0, Math.min(16, size));
      const bom = head.getUint16(0, false);
      if (bom !== 0x4949 && bom !== 0x4d4d) throw TiffFile.fail(file, 'not a TIFF file (no II/MM byte-order mark)');
      const le = bom === 0x4949;
      const magic = head.getUint16(2, le);
      if (magic !== 42 && magic !== 43) throw TiffFile.fail(file, `not a TIFF file (magic ${magic})`);
      const big = magic === 43;
      const u64 = (v: DataView, o: number): number => Number(v.getBigUint64(o, le));
      let ifd = big ? u64(head, 8) : head.getUint32(4, le);
      const pages: TiffPage[] = [];
      const seen = new Set<number>();
      while (ifd !== 0) {
        if (seen.has(ifd)) throw TiffFile.fail(file, `image directories loop at offset ${ifd}`);
        seen.add(ifd);
        const countView = await read(ifd, big ? 8 : 2);
        const n = big ? u64(countView, 0) : countView.getUint16(0, le);
        const entrySize = big ? 20 : 12;
        const body = await read(ifd + (big ? 8 : 2), n * entrySize + (big ? 8 : 4));
        const tags = new Map<number, number[]>();
        for (let e = 0; e < n; e++) {
          const o = e * entrySize;
          const tag = body.getUint16(o, le);
          const type = body.getUint16(o + 2, le);
          const count = big ? u64(body, o + 4) : body.getUint32(o + 4, le);
          const ts = TYPE_SIZE[type];
          if (!ts || !Object.values(TAG).includes(tag as never)) continue;
          const bytes = ts * count;
          const inline = bytes <= (big ? 8 : 4);
          const valOff = o + (big ? 12 : 8);
          const src = inline ? body : await read(big ? u64(body, valOff) : body.getUint32(valOff, le), bytes);
          const base = inline ? valOff : 0;
          const vals: number[] = new Array(count);
          for (let k = 0; k < count; k++) {
            const p = base + k * ts;
            vals[k] = type === 3 || type === 8 ? src.getUint16(p, le) : type === 4 || type === 9 || type === 13 ? src.getUint32(p, le) : ts === 8 && type >= 16 ? u64(src, p) : src.getUint8(p);
          }
          tags.set(tag, vals);
        }
        ifd = big ? u64(body, n * entrySize) : body.getUint32(n * entrySize, le);
        if (((tags.get(TAG.NewSubfileType)?.[0] ?? 0) & 1) === 1) continue; // reduced-resolution copy
        pages.push(TiffFile.#page(file, tags, pages.length));
      }
      if (pages.length === 0) throw TiffFile.fail(file, 'no image in the file');
      const p0 = pages[0];
      pages.forEach((p, i) => {
        if (p.width !== p0.width || p.height !== p0.height || p.dtype !== p0.dtype) {
          throw TiffFile.fail(file, `page ${i} is ${p.height}×${p.width} ${p.dtype} but page 0 is ${p0.height}×${p0.width} ${p0.dtype}; a stack needs equal pages`);
        }
      });
      return new TiffFile(file, fh, le, pages);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  static #page(file: string, tags: Map<number, number[]>, index: number): TiffPage {
    const one = (t: number, dflt?: number): number => {
      const v = tags.get(t)?.[0] ?? dflt;
      if (v === undefined) throw TiffFile.fail(file, `page ${index} lacks required tag ${t}`);
      return v;
    };
    const width = one(TAG.ImageWidth);
    const height = one(TAG.ImageLength);
    const spp = one(TAG.SamplesPerPixel, 1);
    if (spp !== 1) throw TiffFile.fail(file, `page ${index} has ${spp} samples per pixel; only grayscale (1 sample) stacks are imported`, 'UnsupportedDtype');
    const bits = one(TAG.BitsPerSample, 1);
    const format = one(TAG.SampleFormat, 1);
    const dtype = dtypeOf(bits, format);
    if (!dtype) throw TiffFile.fail(file, `page ${index} has ${bits}-bit samples of format ${format}; supported: 8/16/32-bit unsigned, 16/32-bit signed, 32/64-bit float`, 'UnsupportedDtype');
    const compression = one(TAG.Compression, 1);
    if (!COMPRESSIONS[compression]) throw TiffFile.fail(file, `page ${index} uses compression ${compression}; supported: none, LZW, deflate, PackBits`, 'UnsupportedCodec');
    const predictor = one(TAG.Predictor, 1);
    if (predictor !== 1 && !(predictor === 2 && dtype !== 'float32' && dtype !== 'float64')) {
      throw TiffFile.fail(file, `page ${index} uses predictor ${predictor} on ${dtype}; supported: none, horizontal on integers`, 'UnsupportedCodec');
    }
    const tiled = tags.has(TAG.TileWidth);
    const offsets = tags.get(tiled ? TAG.TileOffsets : TAG.StripOffsets);
    const byteCounts = tags.get(tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
    if (!offsets || !byteCounts || offsets.length !== byteCounts.length) throw TiffFile.fail(file, `page ${index} lacks its ${tiled ? 'tile' : 'strip'} offsets or byte counts`);
    return {
      width,
      height,
      dtype,
      bytesPerSample: bits / 8,
      compression,
      predictor,
      blocks: { offsets, byteCounts },
      rowsPerStrip: Math.min(one(TAG.RowsPerStrip, height), height),
      tile: tiled ? { width: one(TAG.TileWidth), height: one(TAG.TileLength) } : undefined,
    };
  }

  /** Decode page `i` into a C-order (y, x) typed array of its dtype. */
  async readPage(i: number): Promise<TileTypedArray> {
    const p = this.pages[i];
    const out = allocTyped(p.dtype, p.width * p.height);
    const outBytes = new Uint8Array(out.buffer);
    const bw = p.tile ? p.tile.width : p.width;
    const bh = p.tile ? p.tile.height : p.rowsPerStrip;
    const across = Math.ceil(p.width / bw);
    const bps = p.bytesPerSample;
    for (let b = 0; b < p.blocks.offsets.length; b++) {
      const by = Math.floor(b / across) * bh;
      const bx = (b % across) * bw;
      if (by >= p.height) break;
      const rows = p.tile ? bh : Math.min(bh, p.height - by);
      const raw = Buffer.alloc(p.blocks.byteCounts[b]);
      await this.#fh.read(raw, 0, raw.length, p.blocks.offsets[b]);
      const block = this.#decode(raw, rows * bw * bps, p, i);
      if (block.length < rows * bw * bps) throw TiffFile.fail(this.file, `page ${i} block ${b} decodes to ${block.length} bytes, not ${rows * bw * bps}`);
      this.#toNative(block, bw, rows, p);
      const copyW = Math.min(bw, p.width - bx) * bps;
      for (let r = 0; r < rows && by + r < p.height; r++) {
        outBytes.set(block.subarray(r * bw * bps, r * bw * bps + copyW), ((by + r) * p.width + bx) * bps);
      }
    }
    return out;
  }

  #decode(raw: Uint8Array, expected: number, p: TiffPage, page: number): Uint8Array {
    try {
      switch (p.compression) {
        case 1:
          return raw;
        case 5:
          return decodeLzw(raw, expected);
        case 8:
        case 32946:
          return new Uint8Array(inflateSync(raw));
        default:
          return decodePackBits(raw, expected);
      }
    } catch (err) {
      throw TiffFile.fail(this.file, `page ${page} does not decode as ${COMPRESSIONS[p.compression]}: ${(err as Error).message}`, 'InputError', err);
    }
  }

  /** Swap to little-endian (the host order of every platform Node runs on) and undo the predictor. */
  #toNative(block: Uint8Array, w: number, rows: number, p: TiffPage): void {
    const bps = p.bytesPerSample;
    if (!this.littleEndian && bps > 1) {
      for (let i = 0; i + bps <= block.length; i += bps) {
        for (let a = i, z = i + bps - 1; a < z; a++, z--) {
          const t = block[a];
          block[a] = block[z];
          block[z] = t;
        }
      }
    }
    if (p.predictor === 2) {
      // Typed views wrap modulo 2^bits, as horizontal differencing does.
      const buf = block.byteOffset % bps === 0 ? block : block.slice();
      const v = allocView(p.dtype, buf, w * rows);
      for (let r = 0; r < rows; r++) for (let x = 1, o = r * w + 1; x < w; x++, o++) v[o] += v[o - 1];
      if (buf !== block) block.set(buf.subarray(0, w * rows * bps));
    }
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}

function allocView(dtype: TileDtype, bytes: Uint8Array, n: number): TileTypedArray {
  const C = { uint8: Uint8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype];
  return new C(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
}

/** PackBits (TIFF 6.0 section 9): a header byte n, then n+1 literal bytes, or one byte repeated 1-n times. */
function decodePackBits(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (i < src.length && o < expected) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const len = Math.min(n + 1, expected - o, src.length - i);
      out.set(src.subarray(i, i + len), o);
      i += n + 1;
      o += len;
    } else if (n !== -128) {
      const len = Math.min(1 - n, expected - o);
      out.fill(src[i++], o, o + len);
      o += len;
    }
  }
  return out.subarray(0, o);
}

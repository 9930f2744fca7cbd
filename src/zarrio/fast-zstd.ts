import { ZSTDDecoder } from 'zstddec';
import type { StreamDecompress } from './blosc-decode.js';

/**
 * zstd decoding through `zstddec` (a wasm build of the reference zstd decoder), for plain zstd
 * chunks (stitchgraph's default codec) and for the streams inside blosc frames.
 *
 * Why not numcodecs.js' zstd: its emscripten binding copies every compressed chunk into the wasm
 * heap one byte at a time. Measured on the bench's blosc-zstd streams (one core, warm): zstddec
 * ≈ 580 MB/s of decoded stream, numcodecs.js' zstd ≈ 460, @bokuweb/zstd-wasm ≈ 555
 * (bench/RESULTS-zarrio.md).
 */

/**
 * The exports of zstddec's wasm module (its README's emcc EXPORTED_FUNCTIONS). Typed by hand: the
 * build's lib (ES2023 + @types/node 20) has no WebAssembly namespace.
 */
interface ZstdExports {
  memory: { buffer: ArrayBuffer };
  malloc(size: number): number;
  free(ptr: number): void;
  ZSTD_decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
  ZSTD_isError(code: number): number;
}

let exportsSeen: ZstdExports | undefined;

/**
 * zstddec's decode() mallocs, copies in, decompresses, copies out with `slice` (a fresh buffer per
 * stream) and frees, every call, and reports no errors. Its public `_init` hook hands us the
 * instance, so we keep one input and one output buffer in its heap, return a view of the output,
 * and check ZSTD_isError. If zstddec was initialised elsewhere first (no hook call), its plain
 * decode() is used.
 */
class TappedDecoder extends ZSTDDecoder {
  override _init(result: { instance: { exports: unknown } }): void {
    exportsSeen = result.instance.exports as ZstdExports;
    super._init(result as Parameters<ZSTDDecoder['_init']>[0]);
  }
}

function heapDecompress(x: ZstdExports): StreamDecompress {
  let inPtr = 0;
  let inCap = 0;
  let outPtr = 0;
  let outCap = 0;
  return (src, size) => {
    if (src.length > inCap || !inPtr) {
      if (inPtr) x.free(inPtr);
      inCap = Math.max(src.length, 64 * 1024);
      inPtr = x.malloc(inCap);
    }
    if (size > outCap || !outPtr) {
      if (outPtr) x.free(outPtr);
      outCap = Math.max(size, 64 * 1024);
      outPtr = x.malloc(outCap);
    }
    if (!inPtr || !outPtr) throw new Error('Cannot decode zstd stream: the wasm heap is full');
    new Uint8Array(x.memory.buffer, inPtr, src.length).set(src);
    const n = x.ZSTD_decompress(outPtr, size, inPtr, src.length);
    // Callers reject any length but `size`: an error gives an empty result.
    if (x.ZSTD_isError(n)) return new Uint8Array(0);
    // memory.buffer is read after the call: a grown heap has a new buffer.
    return new Uint8Array(x.memory.buffer, outPtr, n >>> 0);
  };
}

let stream: Promise<StreamDecompress> | undefined;

/** Decompress one zstd stream of known decoded size; the result is a view valid until the next call. */
export function loadZstdStream(): Promise<StreamDecompress> {
  stream ??= (async () => {
    const zstd = new TappedDecoder();
    await zstd.init();
    return exportsSeen ? heapDecompress(exportsSeen) : (src: Uint8Array, size: number) => zstd.decode(src, size);
  })();
  return stream;
}

/**
 * Frame_Content_Size of a single zstd frame (RFC 8878 §3.1.1.1), or undefined when the header does
 * not carry it or the bytes are not a zstd frame.
 */
export function zstdFrameContentSize(b: Uint8Array): number | undefined {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return undefined;
  const fhd = b[4];
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3];
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + dictBytes;
  if (at + fcsBytes > b.length) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset + at, fcsBytes);
  if (fcsBytes === 1) return dv.getUint8(0);
  if (fcsBytes === 2) return dv.getUint16(0, true) + 256;
  if (fcsBytes === 4) return dv.getUint32(0, true);
  const big = dv.getBigUint64(0, true);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
}

/**
 * Decoder for whole zstd chunks: the decoded bytes (a fresh copy), or null when the frame does not
 * state its decoded size or does not decode to it (several frames, damage), so the caller can
 * hand it to numcodecs.js, which reports such errors in its own words.
 */
export async function loadFastZstd(): Promise<(bytes: Uint8Array) => Uint8Array | null> {
  const decompress = await loadZstdStream();
  return (bytes) => {
    const size = zstdFrameContentSize(bytes);
    if (size === undefined) return null;
    const out = decompress(bytes, size);
    return out.length === size ? out.slice() : null;
  };
}

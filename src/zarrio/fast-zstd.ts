import type { StreamDecompress } from './blosc-decode.js';
import { zstdWasmDecoder, type ZstdWasm } from './zstd-wasm.js';

/** The WebAssembly decoder itself, for the decode pool's strips (see decode-pool.ts). */
export function stripDecoder(): ZstdWasm {
  return zstdWasmDecoder();
}

/**
 * zstd decoding through our WebAssembly build of zstd's reference decoder (zstd-wasm.ts), for plain
 * zstd chunks (stitchgraph's default codec) and for the streams inside blosc frames.
 */

/** Decompress one zstd stream of known decoded size; the result is a view valid until the next call. */
export async function loadZstdStream(): Promise<StreamDecompress> {
  const decoder = zstdWasmDecoder();
  return (src, size) => decoder.decompress(src, size);
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

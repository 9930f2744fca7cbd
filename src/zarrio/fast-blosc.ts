import { decodeBlosc } from './blosc-decode.js';
import { loadZstdStream } from './fast-zstd.js';
import { zstdWasmDecoder, type ZstdWasm } from './zstd-wasm.js';

/** The WebAssembly decoder itself, for the decode pool's strips (see decode-pool.ts). */
export function stripDecoder(): ZstdWasm {
  return zstdWasmDecoder();
}

/** Whether `decodeBlosc` of zstd-wasm.ts takes this frame whole (version ≤ 2, no Blosc2 flag, zstd inside or memcpyed). */
export function wasmTakesBlosc(bytes: Uint8Array): boolean {
  const flags = bytes.length >= 16 ? bytes[2] : 0;
  return bytes.length >= 16 && bytes[0] <= 2 && !(flags & 0x08) && (flags >> 5 === 4 || (flags & 0x02) !== 0);
}

/**
 * Blosc frames with zstd streams (and memcpyed frames) decoded whole inside our WebAssembly zstd
 * module (zstd-wasm.ts: the block loop, zstd, SIMD unshuffles); other Blosc-1 frames go through
 * the TypeScript `decodeBlosc`, which returns null for inner codecs it has no decoder for (lz4,
 * blosclz, zlib, snappy) and for Blosc2 frames: the caller then uses numcodecs.js' complete blosc.
 */
export type FastBlosc = (bytes: Uint8Array) => Uint8Array | null;

/**
 * False when STITCHGRAPH_DECODER=numcodecs: every blosc and zstd chunk then goes to numcodecs.js
 * (an escape hatch, and the bench's "before" column). Read per call; decode-pool workers see the
 * environment of the moment they start.
 */
export function useFastDecoders(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.STITCHGRAPH_DECODER !== 'numcodecs';
}

let loading: Promise<FastBlosc> | undefined;

export function loadFastBlosc(): Promise<FastBlosc> {
  loading ??= (async () => {
    const inner = { zstd: await loadZstdStream() };
    const wasm = zstdWasmDecoder();
    return (bytes: Uint8Array) => (wasmTakesBlosc(bytes) ? wasm.decodeBlosc(bytes) : decodeBlosc(bytes, inner));
  })();
  return loading;
}

import { ZSTDDecoder } from 'zstddec';
import { decodeBlosc, type StreamDecompress } from './blosc-decode.js';

/**
 * Blosc frames decoded by `decodeBlosc` with zstd from `zstddec` (a wasm build of the reference
 * zstd decoder: one `set` into its heap per stream, no per-byte copy). Returns null for frames it
 * does not handle (inner codecs other than zstd: lz4, blosclz, zlib, snappy; Blosc2 frames); the
 * caller then uses numcodecs.js' complete blosc.
 *
 * Measured on the bench's blosc-zstd chunks (one core): zstddec ≈ 400–560 MB/s of decoded
 * stream, numcodecs.js' blosc ≈ 240–280 MB/s for the whole chunk (bench/RESULTS-zarrio.md).
 */
export type FastBlosc = (bytes: Uint8Array) => Uint8Array | null;

let loading: Promise<FastBlosc> | undefined;

export function loadFastBlosc(): Promise<FastBlosc> {
  loading ??= (async () => {
    const zstd = new ZSTDDecoder();
    await zstd.init();
    // zstddec reports no errors: a failed decode comes back with the wrong length, which
    // decodeBlosc rejects.
    const inflate: StreamDecompress = (src, size) => zstd.decode(src, size);
    const inner = { zstd: inflate };
    return (bytes: Uint8Array) => decodeBlosc(bytes, inner);
  })();
  return loading;
}

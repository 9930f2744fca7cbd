import { decodeBlosc } from './blosc-decode.js';
import { loadZstdStream } from './fast-zstd.js';

/**
 * Blosc frames decoded by `decodeBlosc` with zstd streams from zstddec's wasm (`fast-zstd.ts`).
 * Returns null for frames it does not handle (inner codecs other than zstd: lz4, blosclz, zlib,
 * snappy; Blosc2 frames); the caller then uses numcodecs.js' complete blosc.
 *
 * Measured on the bench's 32 blosc-zstd chunks, one core: ≈ 160 ms against numcodecs.js' blosc
 * ≈ 270 ms (byte shuffle), ≈ 125 against ≈ 166 ms (bit shuffle); bench/RESULTS-zarrio.md.
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
    return (bytes: Uint8Array) => decodeBlosc(bytes, inner);
  })();
  return loading;
}

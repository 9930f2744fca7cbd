import { StitchgraphError } from '../errors.js';
import { bloscZstdEncoderWasm } from './blosc-zstd-encoder.wasm.js';

/**
 * Blosc-1 frames (byte shuffle, zstd streams) written by our WebAssembly build of zstd's reference
 * compressor (csrc/blosc-zstd/blosc-encoder.c, built by scripts/build-zstd-encoder-wasm.sh; the
 * module is committed as base64 in blosc-zstd-encoder.wasm.ts). The frames are c-blosc 1.x's, read
 * by zarr-python 2 (c-blosc), numcodecs.js and our own decoder (zstd-wasm.ts).
 *
 * Why an own writer: numcodecs.js' blosc copies its input into its module byte by byte in
 * JavaScript (embind's std::string), which cost fusion about as much as compressing. Here the
 * chunk is copied in once and the frame out once.
 */
interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  encoder_init(level: number, blocksize: number): number;
  heap_base(): number;
  blosc_encode(src: number, nbytes: number, typesize: number, blocksize: number, level: number, dest: number, tmp: number): number;
}
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: unknown };
}

/** zstd level 1 (blosc clevel 1): the fastest of zstd's regular levels; ratios near level 3 on shuffled image data. */
export const BLOSC_ZSTD_LEVEL = 1;
/** Bytes per block: as c-blosc picks for zstd at low levels, big enough for zstd's matches, small enough to stay in cache. */
export const BLOSC_ZSTD_BLOCKSIZE = 256 * 1024;

const align = (n: number): number => Math.ceil(n / 16) * 16;

export class BloscZstdEncoder {
  private readonly x: Exports;
  private readonly base: number;

  constructor() {
    const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
    this.x = new wasm.Instance(new wasm.Module(Buffer.from(bloscZstdEncoderWasm, 'base64')), {}).exports as Exports;
    if (!this.x.encoder_init(BLOSC_ZSTD_LEVEL, BLOSC_ZSTD_BLOCKSIZE)) throw new Error('Cannot start the blosc-zstd encoder: its context does not fit its workspace');
    this.base = align(this.x.heap_base());
  }

  /** The frame of `data` (elements of `typesize` bytes), a fresh array. */
  encode(data: Uint8Array, typesize: number): Uint8Array {
    if (!Number.isInteger(typesize) || typesize < 1 || typesize > 255) throw new RangeError(`blosc typesize ${typesize} is not 1..255`);
    const n = data.length;
    const blocks = Math.ceil(n / BLOSC_ZSTD_BLOCKSIZE);
    const inPtr = this.base, tmpPtr = inPtr + align(n), outPtr = tmpPtr + BLOSC_ZSTD_BLOCKSIZE;
    const need = outPtr + n + 16 + 8 * blocks + 64;
    const have = this.x.memory.buffer.byteLength;
    if (need > have) this.x.memory.grow(Math.ceil((need - have) / 65536));
    new Uint8Array(this.x.memory.buffer, inPtr, n).set(data);
    const size = this.x.blosc_encode(inPtr, n, typesize, BLOSC_ZSTD_BLOCKSIZE, BLOSC_ZSTD_LEVEL, outPtr, tmpPtr);
    if (size < 0) throw new StitchgraphError('StageError', `Cannot encode a ${n}-byte chunk as blosc-zstd: zstd failed`);
    return new Uint8Array(this.x.memory.buffer, outPtr, size).slice();
  }
}

let instance: BloscZstdEncoder | undefined;

/** This thread's encoder (instantiated on first use). */
export function bloscZstdEncoder(): BloscZstdEncoder {
  instance ??= new BloscZstdEncoder();
  return instance;
}

import { StitchgraphError } from '../errors.js';
import { zstdWasm } from './zstd-wasm.wasm.js';

/**
 * Our WebAssembly build of zstd's reference decoder plus a Blosc-1 frame decoder around it
 * (csrc/blosc-zstd/, built by scripts/build-zstd-wasm.sh with clang -O3 and 128-bit SIMD; the
 * module is committed as base64 in zstd-wasm.wasm.ts).
 *
 * Why an own build: the zstd decoders on npm are size-optimised emscripten builds. Measured on the
 * bench's blosc-zstd streams (one core, warm, MB/s of decoded stream): this build ≈ 1000, zstddec
 * ≈ 580, @bokuweb/zstd-wasm ≈ 555, numcodecs.js' zstd ≈ 460, native libzstd (Debian's numcodecs)
 * ≈ 1200–1400 (bench/RESULTS-zarrio.md). And whole Blosc frames are decoded inside the module, with
 * the shuffles undone by SIMD, so nothing crosses the JavaScript boundary per block or stream.
 *
 * The module owns no buffers: this wrapper keeps two strip slots, one input, one output and one
 * scratch area past its static data and grows the memory on demand. The memory is shared (a
 * SharedArrayBuffer, created here once per thread and kept for the thread's life), so that a
 * decode-pool worker can hand a finished strip to the main thread by its address: the main thread
 * copies it out of this memory straight into the region, with no copy into a transfer buffer
 * (decode-pool.ts). One flag word per slot (`slotFlags`) says whether the main thread still
 * reads it.
 */
interface Exports {
  zstd_init(): number;
  zstd_decompress(dst: number, capacity: number, src: number, size: number): number;
  zstd_is_error(code: number): number;
  heap_base(): number;
  blosc_decode(src: number, srclen: number, dest: number, tmp: number, from: number, to: number): number;
  blosc_error_block(): number;
  blosc_error_stream(): number;
  blosc_place(src: number, srclen: number, blk: number, tmp: number, cy: number, cx: number, bpe: number, lz: number, ly: number, lx: number, hz: number, hy: number, hx: number, strip: number, sh: number, sw: number, dz: number, dy: number, dx: number): number;
  strip_place(chunk: number, cy: number, cx: number, bpe: number, lz: number, ly: number, lx: number, hz: number, hy: number, hx: number, strip: number, sh: number, sw: number, dz: number, dy: number, dx: number): void;
}

/** A chunk's box [lo, hi) (chunk coordinates) and where it goes in a strip (first voxel, strip plane shape). */
export interface StripPlacement {
  chunk: [number, number, number];
  bytesPerElement: number;
  lo: [number, number, number];
  hi: [number, number, number];
  at: [number, number, number];
  stripRows: number;
  stripWidth: number;
}
// Typed by hand: the build's lib (ES2023 + @types/node 20) has no WebAssembly namespace.
export interface SharedWasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => SharedWasmMemory;
}

/** Strip slots: a worker fills one while the main thread copies the other out. */
export const STRIP_SLOTS = 2;
// Flag words (Int32, one per slot) at the start of the host's area; 64 bytes keep the areas aligned.
const FLAG_BYTES = 64;

// Plain arithmetic, not bit operations: header sizes near 2^31 must not wrap to negative.
const align = (n: number): number => Math.ceil(n / 16) * 16;

export class ZstdWasm {
  /** The module's memory (shared; see the class comment). */
  readonly memory: SharedWasmMemory;
  private readonly x: Exports;
  private readonly base: number;
  private inCap = 0;
  private outCap = 0;
  private tmpCap = 0;
  private stripCap = 0;
  private slot = 0;
  private inputView: Uint8Array | null = null;

  /** `moduleBytes`: another build of the module (bench/zarr-read/ab-zstd-build.ts compares builds). */
  constructor(moduleBytes: Uint8Array = Buffer.from(zstdWasm, 'base64')) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
    // 16 pages: the module's static data and stack; 65536 pages (4 GiB): wasm32's limit, reserved
    // as address space only.
    this.memory = new wasm.Memory({ initial: 16, maximum: 65536, shared: true });
    this.x = new wasm.Instance(new wasm.Module(moduleBytes), { env: { memory: this.memory } }).exports as Exports;
    if (!this.x.zstd_init()) throw new Error('Cannot start the zstd decoder: its context does not fit its workspace');
    this.base = align(this.x.heap_base()) + FLAG_BYTES;
    this.areas(0, 0, 0);
  }

  /** One Int32 per strip slot: non-zero while the main thread still reads that slot. */
  slotFlags(): Int32Array {
    return new Int32Array(this.memory.buffer, this.base - FLAG_BYTES, STRIP_SLOTS);
  }

  /** Room for an input, an output, a scratch and strips of these sizes; their offsets. */
  private areas(inBytes: number, outBytes: number, tmpBytes: number, stripBytes = 0): { inPtr: number; outPtr: number; tmpPtr: number; stripPtr: number } {
    if (inBytes > this.inCap || outBytes > this.outCap || tmpBytes > this.tmpCap || stripBytes > this.stripCap) {
      this.inCap = Math.max(this.inCap, align(inBytes), 64 * 1024);
      this.outCap = Math.max(this.outCap, align(outBytes), 64 * 1024);
      this.tmpCap = Math.max(this.tmpCap, align(tmpBytes));
      this.stripCap = Math.max(this.stripCap, align(stripBytes));
      const need = this.base + this.inCap + this.outCap + this.tmpCap + STRIP_SLOTS * this.stripCap;
      const have = this.memory.buffer.byteLength;
      if (need > have) this.memory.grow(Math.ceil((need - have) / 65536));
    }
    // The strips come first: they hold chunks placed earlier while later ones grow the other areas.
    const stripPtr = this.base + this.slot * this.stripCap, inPtr = this.base + STRIP_SLOTS * this.stripCap, outPtr = inPtr + this.inCap;
    return { inPtr, outPtr, tmpPtr: outPtr + this.outCap, stripPtr };
  }

  /**
   * Strips (decode-pool.ts): make room for one of `bytes` in `slot` and return nothing; then place
   * decoded chunks into it (`placeBlosc`, `placeZstd`, `placeDecoded`) and read it with
   * `strip(bytes)`. A larger strip than before moves the slots: the caller makes sure no slot is
   * being read then (`stripFits`).
   */
  beginStrip(bytes: number, slot = 0): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= STRIP_SLOTS) throw new RangeError(`strip slot ${slot} is not 0..${STRIP_SLOTS - 1}`);
    this.slot = slot;
    if (bytes > this.stripCap) this.areas(0, 0, 0, bytes);
  }

  /** Whether a strip of `bytes` fits the slots as they are (else beginStrip moves them). */
  stripFits(bytes: number): boolean {
    return bytes <= this.stripCap;
  }

  /** The current slot's strip as a view of the module's memory, valid until the next call. */
  strip(bytes: number): Uint8Array {
    const { stripPtr } = this.areas(0, 0, 0, bytes);
    return new Uint8Array(this.memory.buffer, stripPtr, bytes);
  }

  /**
   * The input area, `bytes` long, to fill in place (a chunk file read straight into it), then
   * decoded by `placeBlosc` or `placeZstd` without copying it in again.
   */
  input(bytes: number): Uint8Array {
    const { inPtr } = this.areas(bytes, 0, 0);
    this.inputView = new Uint8Array(this.memory.buffer, inPtr, bytes);
    return this.inputView;
  }

  /**
   * Copies `src` into the input area unless it is the view `input()` gave (growing the other
   * areas never moves the input area, nor does growing the memory move its bytes); the offsets.
   */
  private load(src: Uint8Array, outBytes: number, tmpBytes: number): { inPtr: number; outPtr: number; tmpPtr: number; stripPtr: number } {
    const inPlace = src === this.inputView;
    this.inputView = null;
    const a = this.areas(src.length, outBytes, tmpBytes);
    if (!inPlace) new Uint8Array(this.memory.buffer, a.inPtr, src.length).set(src);
    return a;
  }

  private place(from: number, p: StripPlacement): void {
    const { stripPtr } = this.areas(0, 0, 0, 0);
    this.x.strip_place(from, p.chunk[1], p.chunk[2], p.bytesPerElement, p.lo[0], p.lo[1], p.lo[2], p.hi[0], p.hi[1], p.hi[2], stripPtr, p.stripRows, p.stripWidth, p.at[0], p.at[1], p.at[2]);
  }

  /**
   * A Blosc frame (zstd inside, or memcpyed) decoded into the strip: only the blocks holding the
   * placement's box, each decoded into a block-sized scratch and its rows copied out at once.
   */
  placeBlosc(src: Uint8Array, p: StripPlacement): void {
    const size = p.chunk[0] * p.chunk[1] * p.chunk[2] * p.bytesPerElement;
    const header = this.bloscHeader(src);
    if (header.nbytes !== size) throw new StitchgraphError('ChunkDecodeError', `Cannot decode Blosc chunk: it holds ${header.nbytes} bytes, the chunk ${size}`);
    const blocksize = Math.max(0, Math.min(header.blocksize, header.nbytes));
    const { inPtr, outPtr, tmpPtr, stripPtr } = this.load(src, blocksize, blocksize);
    const n = this.x.blosc_place(inPtr, src.length, outPtr, tmpPtr, p.chunk[1], p.chunk[2], p.bytesPerElement, p.lo[0], p.lo[1], p.lo[2], p.hi[0], p.hi[1], p.hi[2], stripPtr, p.stripRows, p.stripWidth, p.at[0], p.at[1], p.at[2]);
    if (n < 0) this.bloscError(n, header, src);
  }

  /** A zstd frame of `size` decoded bytes placed in the strip; false when it does not decode to that size. */
  placeZstd(src: Uint8Array, size: number, p: StripPlacement): boolean {
    const view = this.decompress(src, size);
    if (view.length !== size) return false;
    this.place(view.byteOffset, p);
    return true;
  }

  /** A chunk decoded elsewhere (numcodecs.js) copied in, then placed. */
  placeDecoded(chunk: Uint8Array, p: StripPlacement): void {
    const { outPtr } = this.areas(0, chunk.length, 0);
    new Uint8Array(this.memory.buffer, outPtr, chunk.length).set(chunk);
    this.place(outPtr, p);
  }

  /** One zstd stream of known decoded size; a view valid until the next call (empty on error). */
  decompress(src: Uint8Array, size: number): Uint8Array {
    const { inPtr, outPtr } = this.load(src, size, 0);
    const n = this.x.zstd_decompress(outPtr, size, inPtr, src.length);
    if (this.x.zstd_is_error(n)) return new Uint8Array(0);
    return new Uint8Array(this.memory.buffer, outPtr, n >>> 0);
  }

  /**
   * A whole Blosc-1 frame whose streams are zstd (or a memcpyed frame): the decoded bytes (a fresh
   * array). The caller checks the version and the inner codec; damage throws ChunkDecodeError.
   */
  decodeBlosc(src: Uint8Array): Uint8Array {
    return this.decodeBloscView(src).slice();
  }

  /**
   * As decodeBlosc, but the result is a view of the module's memory, valid until the next call.
   * (Strips decode only the blocks they need through placeBlosc.)
   */
  decodeBloscView(src: Uint8Array): Uint8Array {
    const { nbytes, blocksize } = this.bloscHeader(src);
    const { inPtr, outPtr, tmpPtr } = this.load(src, nbytes, Math.max(0, blocksize));
    const n = this.x.blosc_decode(inPtr, src.length, outPtr, tmpPtr, 0, nbytes);
    if (n < 0) this.bloscError(n, { blocksize }, src);
    return new Uint8Array(this.memory.buffer, outPtr, n);
  }

  /** The header's sizes, checked against the frame's length. */
  private bloscHeader(src: Uint8Array): { nbytes: number; blocksize: number } {
    if (src.length < 16) throw new StitchgraphError('ChunkDecodeError', `Cannot decode Blosc chunk: ${src.length} bytes is shorter than the 16-byte header`);
    const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const nbytes = dv.getInt32(4, true), blocksize = dv.getInt32(8, true), cbytes = dv.getInt32(12, true);
    if (nbytes < 0 || cbytes < 16 || cbytes > src.length) {
      throw new StitchgraphError('ChunkDecodeError', `Cannot decode Blosc chunk: header sizes (nbytes ${nbytes}, cbytes ${cbytes}) do not fit the ${src.length} bytes given`);
    }
    return { nbytes, blocksize };
  }

  private bloscError(n: number, header: { blocksize: number }, src: Uint8Array): never {
    const where = `block ${this.x.blosc_error_block()} stream ${this.x.blosc_error_stream()}`;
    const reason = n === -1 ? `header (blocksize ${header.blocksize}, typesize ${src[3]}) invalid or frame truncated`
      : n === -2 ? `block offsets do not fit in ${new DataView(src.buffer, src.byteOffset, 16).getInt32(12, true)} bytes`
      : n === -3 ? `${where} lies outside the ${new DataView(src.buffer, src.byteOffset, 16).getInt32(12, true)}-byte frame`
      : `${where} did not decode to its size`;
    throw new StitchgraphError('ChunkDecodeError', `Cannot decode Blosc chunk: ${reason}`);
  }
}

let instance: ZstdWasm | undefined;

/** This thread's decoder (instantiated on first use). */
export function zstdWasmDecoder(): ZstdWasm {
  instance ??= new ZstdWasm();
  return instance;
}

/**
 * The registration's full-resolution kernels in WebAssembly SIMD (source:
 * assembly/registration-kernels.ts), working in the shared heap of wasm-heap.ts.
 *
 * A pair's regions are laid out in the heap's arena: `begin` reserves it once, up front, and the
 * bump allocations after it are ordinary Float32Array views of the heap. An allocation that does
 * not fit gets a plain JavaScript array instead, and the functions that take it (maskedNcc,
 * binomialSmooth, gradientSubvoxel, blockAverage) then run their JavaScript loops on it. Everything
 * works without the kernels, only slower (`STITCHGRAPH_WASM=off` turns them off, for comparison).
 */
import type { Vec3 } from '../../geometry/box.js';
import { wasmHeap, type WasmHeap } from './wasm-heap.js';

/** Box of a region in element strides: what the NCC and gradient kernels iterate over. */
export interface KernelBox {
  planeA: number;
  rowA: number;
  planeB: number;
  rowB: number;
  /** Element offsets of the first voxel in a and in b. */
  oa0: number;
  ob0: number;
  nk: number;
  nj: number;
  ni: number;
  /** Sampling steps over planes and rows. */
  sk: number;
  sj: number;
}

export class RegistrationKernels {
  private readonly heap: WasmHeap;

  constructor(heap: WasmHeap) {
    this.heap = heap;
  }

  /**
   * Reserve the arena for one pair (and the FFT buffers of its phase correlation). Views handed
   * out earlier are dead afterwards. Pair it with `end()`.
   */
  begin(bytes: number, fftShape: Vec3 | null): void {
    this.heap.reserve(bytes, fftShape);
  }

  end(): void {
    this.heap.release();
  }

  private get buffer(): ArrayBuffer {
    return this.heap.memory.buffer;
  }

  /** A zeroed float32 array, in the heap when it fits. */
  f32(n: number): Float32Array {
    const at = this.heap.take(4 * n);
    return at === null ? new Float32Array(n) : new Float32Array(this.buffer, at, n).fill(0);
  }

  /** The arena's allocation point: `rewind(mark)` frees everything taken after it. */
  mark(): number {
    return this.heap.mark();
  }

  rewind(mark: number): void {
    this.heap.rewind(mark);
  }

  /** Whether the kernels can read `view` (it lives in their memory). */
  holds(view: ArrayBufferView): boolean {
    return view.buffer === this.buffer;
  }

  /** Σ of a float32 array held in the heap. */
  sum(v: Float32Array): number {
    return this.heap.kernels.sumF32(v.byteOffset, v.length);
  }

  nccSums(a: Float32Array, b: Float32Array, box: KernelBox): Float64Array {
    this.heap.kernels.nccSums(a.byteOffset, b.byteOffset, box.planeA, box.rowA, box.planeB, box.rowB, box.oa0, box.ob0, box.nk, box.nj, box.ni, box.sk, box.sj, this.heap.out);
    return new Float64Array(this.buffer, this.heap.out, 5).slice();
  }

  /** Strides dA/dB of the central differences (0 on inactive axes); ma, mb means; ia, ib inverse deviations. */
  gradientSums(a: Float32Array, b: Float32Array, box: KernelBox, dA: readonly number[], dB: readonly number[], ma: number, mb: number, ia: number, ib: number): Float64Array {
    this.heap.kernels.gradientSums(
      a.byteOffset, b.byteOffset, box.planeA, box.rowA, box.planeB, box.rowB, box.oa0, box.ob0, box.nk, box.nj, box.ni, box.sk, box.sj,
      dA[0], dA[1], dA[2], dB[0], dB[1], dB[2], ma, mb, ia, ib, this.heap.out,
    );
    return new Float64Array(this.buffer, this.heap.out, 9).slice();
  }

  /**
   * Dense binomial smoothing of a volume (d ≥ 5, h ≥ 5, w ≥ 8) held in the heap, into a new
   * array; null when the scratch does not fit (the caller smooths in JavaScript).
   */
  smoothDense(src: Float32Array, d: number, h: number, w: number): Float32Array | null {
    const plane = h * w;
    const mark = this.heap.mark();
    const dst = this.heap.take(4 * src.length), ring = this.heap.take(20 * plane), tmp = this.heap.take(4 * plane);
    if (ring === null || tmp === null || dst === null) {
      this.heap.rewind(mark);
      return null;
    }
    this.heap.kernels.smoothDense(src.byteOffset, dst, ring, tmp, d, h, w);
    // The ring and the plane were the last allocations: give them back.
    this.heap.rewind(ring);
    return new Float32Array(this.buffer, dst, src.length);
  }

  /** A uint16 region copied in, its mean, and the centred float32 copy with Σ of squares; null when it does not fit. */
  centreU16(src: Uint16Array): { data: Float32Array; mean: number; sumSquares: number } | null {
    const n = src.length;
    const mark = this.heap.mark();
    const dst = this.heap.take(4 * n), inU16 = this.heap.take(2 * n);
    if (inU16 === null || dst === null) {
      this.heap.rewind(mark);
      return null;
    }
    new Uint16Array(this.buffer, inU16, n).set(src);
    const mean = n > 0 ? this.heap.kernels.sumU16(inU16, n) / n : 0;
    const sumSquares = this.heap.kernels.centreU16(inU16, dst, n, mean);
    // The uint16 copy was the last allocation: give it back.
    this.heap.rewind(inU16);
    return { data: new Float32Array(this.buffer, dst, n), mean, sumSquares };
  }

  /** Block average by (fz, fy, 2) of a dense volume in the heap; null when it does not fit. */
  blockAverageX2(src: Float32Array, shape: readonly number[], fz: number, fy: number): Float32Array | null {
    const [d, h, w] = shape;
    const n = Math.floor(d / fz) * Math.floor(h / fy) * (w >> 1);
    const mark = this.heap.mark();
    const dst = this.heap.take(4 * n), row = this.heap.take(4 * (w >> 1) + 16);
    if (dst === null || row === null) {
      this.heap.rewind(mark);
      return null;
    }
    this.heap.kernels.blockAverageX2(src.byteOffset, dst, d, h, w, fz, fy, row);
    this.heap.rewind(row);
    return new Float32Array(this.buffer, dst, n);
  }
}

/** The kernels of this thread, or null where WebAssembly SIMD is unavailable or turned off. */
export const registrationKernels: RegistrationKernels | null = wasmHeap ? new RegistrationKernels(wasmHeap) : null;

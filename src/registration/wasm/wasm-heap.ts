/**
 * One WebAssembly heap for a pair's registration: PFFFT's memory (Pommier's SIMD FFT, compiled by
 * emscripten), shared by the own kernels of assembly/registration-kernels.ts, which import it. The
 * regions, their smoothed copies and the FFT buffers all live there, so nothing is copied between
 * modules and every step reads the previous one's output in place.
 *
 * Growing a WebAssembly memory detaches every typed-array view of it. So all allocation happens
 * in `reserve`, before a pair hands out any view; while a reservation is live, nothing else may
 * allocate (`fftBuffers` for another shape answers null and the caller falls back to JavaScript).
 * The memory never shrinks: a thread that registered a big pair keeps that much heap.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import createPffft, { type PffftModule } from '@echogarden/pffft-wasm/simd';
import type { Vec3 } from '../../geometry/box.js';
import { registrationKernelsWasm } from './registration-kernels.wasm.js';

export interface KernelExports {
  nccSums(pa: number, pb: number, planeA: number, rowA: number, planeB: number, rowB: number, oa0: number, ob0: number, nk: number, nj: number, ni: number, sk: number, sj: number, out: number): void;
  gradientSums(
    pa: number, pb: number, planeA: number, rowA: number, planeB: number, rowB: number, oa0: number, ob0: number, nk: number, nj: number, ni: number, sk: number, sj: number,
    dA0: number, dA1: number, dA2: number, dB0: number, dB1: number, dB2: number, ma: number, mb: number, ia: number, ib: number, out: number,
  ): void;
  smoothDense(src: number, dst: number, ring: number, tmp: number, d: number, h: number, w: number): void;
  sumU16(src: number, n: number): number;
  centreU16(src: number, dst: number, n: number, mean: number): number;
  blockAverageX2(src: number, dst: number, d: number, h: number, w: number, fz: number, fy: number, row: number): void;
  transposeComplex(src: number, dst: number, rows: number, cols: number): void;
  transposePlanes(src: number, dst: number, planes: number, rows: number, cols: number): void;
  crossPowerSlots(a: number, b: number, nz: number, ny: number, hx: number, wzz: number, wy: number, wx: number): void;
  windowRows(src: number, dst: number, d: number, h: number, w: number, ny: number, nx: number, wz: number, wy: number, wx: number, mean: number): void;
  rowMax(src: number, rows: number, n: number, out: number): void;
  sumF32(src: number, n: number): number;
}

const REAL = 0, COMPLEX = 1;

// The WebAssembly global as far as this file uses it: @types/node 20 does not declare it (the DOM
// lib does, which a Node build should not pull in).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: abstract new (...args: never[]) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

/** Buffers of the 3-D FFT for one padded shape: two spectra, a transpose target, PFFFT's work line, small arrays. */
export interface FftBuffers {
  shape: Vec3;
  a: number;
  b: number;
  t: number;
  work: number;
  /** Room for windows, weights and row maxima (`smallBytes` bytes). */
  small: number;
  smallBytes: number;
  floats: number;
}

export class WasmHeap {
  readonly pffft: PffftModule;
  readonly kernels: KernelExports;
  readonly memory: WasmMemory;
  /** 16 doubles for kernel results, allocated once. */
  readonly out: number;
  private fft: FftBuffers | null = null;
  private readonly setups = new Map<string, number>();
  private arena = 0;
  private arenaBytes = 0;
  private next = 0;
  private end = 0;
  private live = false;

  constructor(pffft: PffftModule, memory: WasmMemory, kernels: KernelExports) {
    this.pffft = pffft;
    this.memory = memory;
    this.kernels = kernels;
    this.out = this.malloc(128);
  }

  private malloc(bytes: number): number {
    const p = this.pffft._pffft_aligned_malloc(bytes);
    if (!p) throw new RangeError(`WebAssembly heap: cannot allocate ${bytes} bytes`);
    return p;
  }

  /**
   * Make room for one pair: an arena of `arenaBytes` (handed out by `take`) and the FFT buffers of
   * `fftShape`. Every earlier view of the heap may be detached afterwards. Returns false when the
   * heap cannot grow that far (the caller works in JavaScript).
   */
  reserve(arenaBytes: number, fftShape: Vec3 | null): boolean {
    this.live = false;
    try {
      if (fftShape) this.ensureFft(fftShape);
      if (arenaBytes > this.arenaBytes) {
        if (this.arena) this.pffft._pffft_aligned_free(this.arena);
        this.arena = 0;
        this.arenaBytes = 0;
        // Headroom, so that a campaign of slightly different overlaps does not reallocate per pair.
        const bytes = Math.ceil(arenaBytes * 1.25) + 64;
        this.arena = this.malloc(bytes);
        this.arenaBytes = bytes;
      }
    } catch {
      this.next = this.end = 0;
      return false;
    }
    this.next = this.arena;
    this.end = this.arena + this.arenaBytes;
    this.live = true;
    return true;
  }

  /** End of a pair: views of the arena are dead, allocations are allowed again. */
  release(): void {
    this.live = false;
    this.next = this.end = 0;
  }

  /** `bytes` (16-aligned) of the arena, or null when the reservation is exhausted or not live. */
  take(bytes: number): number | null {
    if (!this.live) return null;
    const at = this.next;
    if (at + bytes > this.end) return null;
    this.next = (at + bytes + 15) & ~15;
    return at;
  }

  /** Position of the arena's bump pointer, to give back the last allocations with `rewind`. */
  mark(): number {
    return this.next;
  }

  rewind(mark: number): void {
    if (this.live && mark >= this.arena && mark <= this.next) this.next = mark;
  }

  /** The FFT buffers for `shape`: allocated now unless a reservation is live (then null for a new shape). */
  fftBuffers(shape: Vec3): FftBuffers | null {
    const f = this.fft;
    if (f && f.shape.every((v, ax) => v === shape[ax])) return f;
    if (this.live) return null;
    try {
      return this.ensureFft(shape);
    } catch {
      return null;
    }
  }

  setup(n: number, complex: boolean): number {
    const s = this.setups.get(`${complex ? COMPLEX : REAL}:${n}`);
    if (s === undefined) throw new Error(`no PFFFT setup for ${n}`);
    return s;
  }

  private ensureFft(shape: Vec3): FftBuffers {
    const f = this.fft;
    if (f && f.shape.every((v, ax) => v === shape[ax])) return f;
    const [nz, ny, nx] = shape;
    for (const [n, kind] of [
      [nx, REAL],
      [ny, COMPLEX],
      [nz, COMPLEX],
    ] as const) {
      const key = `${kind}:${n}`;
      if (n > 1 && !this.setups.has(key)) {
        const s = this.pffft._pffft_new_setup(n, kind);
        if (!s) throw new Error(`PFFFT refused a transform of ${n}`);
        this.setups.set(key, s);
      }
    }
    if (f) for (const p of [f.a, f.b, f.t, f.work, f.small]) this.pffft._pffft_aligned_free(p);
    this.fft = null;
    const floats = nz * ny * nx;
    const smallBytes = 4 * (3 * (nz + ny + nx) + 2 * nz + nz * ny + 64);
    const buffers: FftBuffers = { shape: [...shape], a: 0, b: 0, t: 0, work: 0, small: 0, smallBytes, floats };
    buffers.a = this.malloc(4 * floats);
    buffers.b = this.malloc(4 * floats);
    buffers.t = this.malloc(4 * floats);
    buffers.work = this.malloc(8 * Math.max(nz, ny, nx));
    buffers.small = this.malloc(smallBytes);
    this.fft = buffers;
    return buffers;
  }
}

async function load(): Promise<WasmHeap | null> {
  if (process.env.STITCHGRAPH_WASM === 'off') return null;
  try {
    const require = createRequire(import.meta.url);
    const bytes = readFileSync(join(dirname(require.resolve('@echogarden/pffft-wasm/simd')), 'pffft.wasm'));
    let memory: WasmMemory | null = null;
    // emscripten's hook: instantiating here is how its (minified, unexported) memory is reached.
    const pffft = await createPffft({
      instantiateWasm(imports: Record<string, Record<string, unknown>>, receive: (instance: WasmInstance) => void) {
        const instance = new wasm.Instance(new wasm.Module(bytes), imports);
        memory = Object.values(instance.exports).find((e): e is WasmMemory => e instanceof wasm.Memory) ?? null;
        receive(instance);
        return instance.exports;
      },
    });
    if (!memory || pffft._pffft_simd_size() !== 4) return null;
    const kernels = new wasm.Instance(new wasm.Module(Buffer.from(registrationKernelsWasm, 'base64')), { env: { memory } });
    return new WasmHeap(pffft, memory, kernels.exports as unknown as KernelExports);
  } catch {
    // No WebAssembly SIMD here: the JavaScript paths serve.
    return null;
  }
}

/** This thread's heap, or null where WebAssembly SIMD is unavailable or `STITCHGRAPH_WASM=off`. */
export const wasmHeap: WasmHeap | null = await load();

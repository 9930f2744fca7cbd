/**
 * The pixel features' WebAssembly kernels (assembly/segmentation-kernels.ts) and their memory, one
 * per thread. A call lays its arrays out in the memory from offset 0 (`layout`), growing it first:
 * growing detaches typed-array views, so views are taken only after `reserve`. The memory never
 * shrinks: a worker that computed features of a big block keeps that much (≈ 40 floats per voxel
 * read; the JavaScript version held as much in typed arrays).
 */
import { segmentationKernelsWasm } from './wasm/segmentation-kernels.wasm.js';

export interface FeatureKernels {
  gaussX(p: number, rows: number, w: number, k: number, r: number, line: number): void;
  gaussOuter(src: number, dst: number, outer: number, len: number, run: number, k: number, r: number, rows: number): void;
  gradient3(g: number, gz: number, gy: number, gx: number, d: number, h: number, w: number, vz: number, vy: number, vx: number): void;
  hessianFeatures(
    g: number, gz: number, gy: number, gx: number, d: number, h: number, w: number, oz: number, oy: number, ox: number, cd: number, ch: number, cw: number,
    vz: number, vy: number, vx: number, out: number, hess: number, n: number,
  ): void;
  tensorProducts(gz: number, gy: number, gx: number, h: number, w: number, sz0: number, sy0: number, sx0: number, td: number, th: number, tw: number, t: number): void;
  predictForest(x: number, n: number, nodes: number, trees: number, count: number, out: number): void;
  eigenRows(src: number, plane: number, th: number, tw: number, oz: number, oy: number, ox: number, cd: number, ch: number, cw: number, out: number, n: number): void;
}

// The WebAssembly global as far as this file uses it (@types/node 20 does not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
const PAGE = 65536;

let instance: { kernels: FeatureKernels; memory: WasmMemory } | undefined;

/** The kernels and their memory grown to at least `bytes`; take views of the memory after this call. */
export function featureKernels(bytes: number): { kernels: FeatureKernels; memory: WasmMemory } {
  if (!instance) {
    const memory = new wasm.Memory({ initial: 1, maximum: 65536 });
    const exports = new wasm.Instance(new wasm.Module(Buffer.from(segmentationKernelsWasm, 'base64')), { env: { memory } }).exports;
    instance = { kernels: exports as unknown as FeatureKernels, memory };
  }
  const have = instance.memory.buffer.byteLength;
  if (bytes > have) instance.memory.grow(Math.ceil((bytes - have) / PAGE));
  return instance;
}

/** Bump allocation of float32 arrays (16-byte aligned byte offsets) for one call's layout. */
export class FloatLayout {
  bytes = 0;

  /** Room for `n` float32 values; returns its byte offset. */
  floats(n: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil((4 * n) / 16) * 16;
    return at;
  }
}

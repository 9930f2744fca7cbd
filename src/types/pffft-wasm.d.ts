// The package ships an emscripten module without type declarations: only what we call is typed.
declare module '@echogarden/pffft-wasm/simd' {
  export interface PffftModule {
    HEAPF32: Float32Array;
    HEAPF64: Float64Array;
    _pffft_new_setup(n: number, transform: 0 | 1): number;
    _pffft_destroy_setup(setup: number): void;
    _pffft_transform(setup: number, input: number, output: number, work: number, direction: 0 | 1): void;
    _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: 0 | 1): void;
    _pffft_aligned_malloc(bytes: number): number;
    _pffft_aligned_free(ptr: number): void;
    _pffft_simd_size(): number;
  }
  const createModule: (moduleArg?: Record<string, unknown>) => Promise<PffftModule>;
  export default createModule;
}

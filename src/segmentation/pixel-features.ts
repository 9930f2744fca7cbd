/**
 * Multiscale pixel features for voxel classification (after ilastik's pixel classification and
 * scikit-image's `multiscale_basic_features`), computed in physical units so that anisotropic
 * voxels see the same structure along every axis: for each σ (µm) the Gaussian-smoothed value,
 * gradient magnitude, Laplacian of Gaussian, the three Hessian eigenvalues and the three
 * structure-tensor eigenvalues (gradients at σ, tensor smoothed at σ/2), plus the raw value.
 *
 * Features are computed over a box read with a halo (`featureHalo`) and returned for its core only,
 * so a block's features equal the whole volume's wherever the halo is clipped by nothing but the
 * volume's own faces. The arithmetic runs in WebAssembly kernels (assembly/segmentation-kernels.ts,
 * 4 float32 lanes: 3-5× the JavaScript loops they replaced); the values are feature-major (one plane
 * per feature), the layout both the kernels and the forest's voxel-by-voxel traversal read fastest.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { axisGaussianRadius, gaussianKernel } from './_separable-gaussian.js';
import { featureKernels, FloatLayout, type FeatureKernels } from './_feature-kernels.js';

export interface PixelFeatureOptions {
  /** Scales in µm (z, y, x share them; each axis converts with its voxel size). */
  sigmasUm: number[];
  voxelSize: Vec3;
}

export interface PixelFeatures {
  /** Feature-major: feature k of voxel v at `values[k * voxels + v]`, voxels of the core in C order. */
  values: Float32Array;
  count: number;
  /** Voxels of the core (the length of one feature's plane). */
  voxels: number;
  names: string[];
}

const PER_SCALE = ['gauss', 'gradmag', 'log', 'hess0', 'hess1', 'hess2', 'st0', 'st1', 'st2'] as const;

/** Feature names in the order of `PixelFeatures.values`. */
export function featureNames(sigmasUm: number[]): string[] {
  return ['raw', ...sigmasUm.flatMap((s) => PER_SCALE.map((n) => `${n}_s${s}um`))];
}

/** Voxels read around a core (per axis) so that every feature of the core is exact. */
export function featureHalo(sigmasUm: number[], voxelSize: Vec3): Vec3 {
  const smax = Math.max(0, ...sigmasUm);
  // Gaussian, two nested central differences (Hessian: 2 voxels), then the tensor's own Gaussian.
  return [0, 1, 2].map((a) => axisGaussianRadius(smax / voxelSize[a]) + 2 + axisGaussianRadius(smax / 2 / voxelSize[a])) as Vec3;
}

const PREDICT_ROOM = 4 << 20;
const volume = (b: Box3): number => b.size[0] * b.size[1] * b.size[2];
const offset = (outer: Box3, inner: Box3): Vec3 => inner.start.map((s, a) => s - outer.start[a]) as Vec3;

/** The box grown by `halo` per axis, clipped to `bounds`. */
function within(box: Box3, halo: Vec3, bounds: Box3): Box3 {
  const start = box.start.map((s, a) => Math.max(bounds.start[a], s - halo[a])) as Vec3;
  const size = box.start.map((s, a) => Math.min(bounds.start[a] + bounds.size[a], s + box.size[a] + halo[a]) - start[a]) as Vec3;
  return { start, size };
}

/** Byte offsets of one call's arrays in the kernels' memory. */
interface Arena {
  input: number;
  g: number;
  scratch: number;
  gz: number;
  gy: number;
  gx: number;
  tensor: number;
  out: number;
  taps: number;
  line: number;
  rows: number;
  bytes: number;
}

function arena(read: Box3, tensorVoxels: number, outFloats: number, maxRadius: number): Arena {
  const L = new FloatLayout();
  const R = volume(read);
  const taps = 2 * maxRadius + 1;
  const a = { input: L.floats(R), g: L.floats(R), scratch: L.floats(R), gz: L.floats(R), gy: L.floats(R), gx: L.floats(R) };
  const b = { tensor: L.floats(6 * tensorVoxels), out: L.floats(outFloats), taps: L.floats(taps), line: L.floats(read.size[2] + 2 * maxRadius), rows: L.floats(taps) };
  return { ...a, ...b, bytes: L.bytes };
}

/** Separable Gaussian (σ in voxels per axis, edges clamped) of the array at `at` in place; `scratch` as big. */
function gaussianInPlace(k: FeatureKernels, heap: Float32Array, m: Arena, at: number, shape: Vec3, sigmaVox: Vec3): void {
  const [d, h, w] = shape;
  let cur = at, other = m.scratch;
  const pass = (axis: number, n: number): number => {
    if (n <= 1 || axisGaussianRadius(sigmaVox[axis]) === 0) return -1;
    const taps = gaussianKernel(sigmaVox[axis]);
    heap.set(taps, m.taps / 4);
    return (taps.length - 1) / 2;
  };
  const rx = pass(2, w);
  if (rx >= 0) k.gaussX(cur, d * h, w, m.taps, rx, m.line);
  for (const [axis, outer, len, run] of [[1, d, h, w], [0, 1, d, h * w]]) {
    const r = pass(axis, len);
    if (r < 0) continue;
    k.gaussOuter(cur, other, outer, len, run, m.taps, r, m.rows);
    [cur, other] = [other, cur];
  }
  if (cur !== at) heap.copyWithin(at / 4, cur / 4, cur / 4 + d * h * w);
}

/** The structure tensor's box for a scale: the core plus the tensor Gaussian's radius, inside `read`. */
function tensorBox(read: Box3, core: Box3, tensorSigmaVox: Vec3): Box3 {
  return within(core, tensorSigmaVox.map(axisGaussianRadius) as Vec3, read);
}

/** The nine features of one scale into planes k..k+8 of the output (planes of `n` values). */
function scaleFeatures(k: FeatureKernels, heap: Float32Array, m: Arena, read: Box3, core: Box3, sigmaUm: number, vs: Vec3, plane: number): void {
  const [d, h, w] = read.size;
  const n = volume(core);
  const sv = vs.map((v) => sigmaUm / v) as Vec3;
  heap.copyWithin(m.g / 4, m.input / 4, m.input / 4 + d * h * w);
  gaussianInPlace(k, heap, m, m.g, read.size, sv);
  k.gradient3(m.g, m.gz, m.gy, m.gx, d, h, w, vs[0], vs[1], vs[2]);
  const [oz, oy, ox] = offset(read, core);
  const out = m.out + 4 * plane * n;
  const [cd, ch, cw] = core.size;
  // The Hessian's six planes (core voxels) go where the tensor's will: that room is free until then.
  k.hessianFeatures(m.g, m.gz, m.gy, m.gx, d, h, w, oz, oy, ox, cd, ch, cw, vs[0], vs[1], vs[2], out, m.tensor, n);
  k.eigenRows(m.tensor, n, ch, cw, 0, 0, 0, cd, ch, cw, out + 4 * 3 * n, n);
  const tsv = sv.map((s) => s / 2) as Vec3;
  const st = tensorBox(read, core, tsv);
  const [sz0, sy0, sx0] = offset(read, st);
  const tn = volume(st);
  k.tensorProducts(m.gz, m.gy, m.gx, h, w, sz0, sy0, sx0, st.size[0], st.size[1], st.size[2], m.tensor);
  for (let c = 0; c < 6; c++) gaussianInPlace(k, heap, m, m.tensor + 4 * c * tn, st.size, tsv);
  const [tz, ty, tx] = offset(st, core);
  k.eigenRows(m.tensor, tn, st.size[1], st.size[2], tz, ty, tx, cd, ch, cw, out + 4 * 6 * n, n);
}

/** The raw values of the core voxels into plane 0. */
function rawPlane(heap: Float32Array, m: Arena, read: Box3, core: Box3): void {
  const [oz, oy, ox] = offset(read, core);
  const [, h, w] = read.size;
  const [cd, ch, cw] = core.size;
  for (let z = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      const s = m.input / 4 + ((z + oz) * h + y + oy) * w + ox;
      heap.copyWithin(m.out / 4 + (z * ch + y) * cw, s, s + cw);
    }
}

/**
 * Features of the `core` voxels from `data`, the voxels of the box `read` (which holds the core),
 * handed to `use` in place: `values` is a view of the kernels' memory, valid only until the next
 * feature or forest kernel call (prediction reads it where it lies; nothing is copied).
 */
export function withPixelFeatures<T>(data: ArrayLike<number>, read: Box3, core: Box3, opts: PixelFeatureOptions, use: (f: PixelFeatures) => T): T {
  const names = featureNames(opts.sigmasUm);
  const count = names.length;
  const n = volume(core);
  const vs = opts.voxelSize;
  const svs = opts.sigmasUm.map((s) => vs.map((v) => s / v) as Vec3);
  const maxRadius = Math.max(0, ...svs.flatMap((sv) => sv.map(axisGaussianRadius)));
  const tensorVoxels = Math.max(0, ...svs.map((sv) => volume(tensorBox(read, core, sv.map((s) => s / 2) as Vec3))));
  const m = arena(read, tensorVoxels, count * n, maxRadius);
  // Room past the features for a forest (up to 4 MB of nodes) and its n outputs: predicting on the
  // view then needs no growth, which would detach it.
  const { kernels, memory } = featureKernels(m.bytes + 4 * n + PREDICT_ROOM);
  const heap = new Float32Array(memory.buffer);
  heap.set(data, m.input / 4);
  rawPlane(heap, m, read, core);
  opts.sigmasUm.forEach((s, i) => scaleFeatures(kernels, heap, m, read, core, s, vs, 1 + 9 * i));
  return use({ values: heap.subarray(m.out / 4, m.out / 4 + count * n), count, voxels: n, names });
}

/** Features of the `core` voxels from `data`, the voxels of the box `read` (which holds the core). */
export function pixelFeatures(data: ArrayLike<number>, read: Box3, core: Box3, opts: PixelFeatureOptions): PixelFeatures {
  return withPixelFeatures(data, read, core, opts, (f) => ({ ...f, values: f.values.slice() }));
}

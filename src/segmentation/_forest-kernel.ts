/**
 * A forest's prediction over feature-major planes in the WebAssembly kernel `predictForest`
 * (assembly/segmentation-kernels.ts: branch-free fixed-depth steps, four voxels side by side). When
 * the planes already lie in the kernels' memory (`withPixelFeatures`), they are read in place.
 */
import { featureKernels, FloatLayout } from './_feature-kernels.js';

const SLICE = 8192;

/** A forest's flat node arrays (children of node i at left[i], left[i] + 1; left -1: a leaf). */
export interface ForestArrays {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  value: Float32Array;
}

/** Depth of each tree (steps from its root to its deepest leaf). */
export function treeDepths(f: ForestArrays): Int32Array {
  const depth = new Int32Array(f.left.length);
  const out = new Int32Array(f.roots.length);
  f.roots.forEach((root, t) => {
    const stack = [root];
    depth[root] = 0;
    while (stack.length > 0) {
      const node = stack.pop()!;
      const l = f.left[node];
      if (l < 0) {
        out[t] = Math.max(out[t], depth[node]);
        continue;
      }
      depth[l] = depth[l + 1] = depth[node] + 1;
      stack.push(l, l + 1);
    }
  });
  return out;
}

/** Nodes (16 bytes each, as `predictForest` reads them) and trees (root, depth) written at their offsets. */
function writeForest(buffer: ArrayBuffer, f: ForestArrays, depths: Int32Array, n: number, nodesAt: number, treesAt: number): void {
  const i32 = new Int32Array(buffer), f32 = new Float32Array(buffer);
  for (let k = 0, o = nodesAt / 4; k < f.left.length; k++, o += 4) {
    const leaf = f.left[k] < 0;
    i32[o] = leaf ? 0 : f.feature[k] * n * 4;
    f32[o + 1] = leaf ? NaN : f.threshold[k];
    i32[o + 2] = leaf ? (k - 1) * 16 : f.left[k] * 16;
    f32[o + 3] = f.value[k];
  }
  for (let t = 0, o = treesAt / 4; t < f.roots.length; t++, o += 2) {
    i32[o] = f.roots[t] * 16;
    i32[o + 1] = depths[t];
  }
}

/** Probability of class 1 for `n` voxels of `featureCount` feature-major planes (`X[f * n + i]`). */
export function predictFeatureMajorKernel(f: ForestArrays, depths: Int32Array, X: Float32Array, n: number, featureCount: number, out: Float32Array): Float32Array {
  let { memory, kernels } = featureKernels(0);
  const inPlace = X.buffer === memory.buffer;
  const L = new FloatLayout();
  // Planes already in the kernels' memory stay where they are; the forest and output go after them.
  if (inPlace) L.floats(X.byteOffset / 4 + X.length);
  const xAt = inPlace ? X.byteOffset : L.floats(featureCount * n);
  const nodesAt = L.floats(4 * f.left.length), treesAt = L.floats(2 * f.roots.length), outAt = L.floats(n);
  if (!inPlace) {
    ({ memory, kernels } = featureKernels(L.bytes));
    new Float32Array(memory.buffer).set(X.subarray(0, featureCount * n), xAt / 4);
  } else ({ memory, kernels } = featureKernels(L.bytes));
  writeForest(memory.buffer, f, depths, n, nodesAt, treesAt);
  // In slices: V8 runs a WebAssembly call to its end in the code it entered with (no on-stack
  // replacement), so one call over a whole block would stay in the baseline compiler's code; after
  // a few slices the optimised code takes over (cold 96³ bench: 0.30 s in one call, 0.24 s sliced).
  for (let v = 0; v < n; v += SLICE) kernels.predictForest(xAt + 4 * v, Math.min(SLICE, n - v), nodesAt, treesAt, f.roots.length, outAt + 4 * v);
  out.set(new Float32Array(memory.buffer, outAt, n));
  return out;
}

/**
 * A random forest classifier for two classes, trained on a few thousand labelled voxels and
 * applied to every voxel of a volume.
 *
 * Why our own: the npm forests (ml-random-forest and its ml-cart trees) hold samples as arrays of
 * row arrays and trees as nested objects, and predict one sample at a time through them; applying a
 * forest to 10⁸–10¹⁰ voxels needs flat typed arrays and a tight loop. Here all trees live in four
 * flat arrays, splits are found on quantile bins (training is linear in the samples), and
 * prediction over a block's feature planes runs in a WebAssembly kernel (`_forest-kernel.ts`:
 * branch-free fixed-depth walks, four voxels at a time); `predict` keeps a JavaScript walk for
 * interleaved rows.
 * Measured by `bench/segmentation` against scikit-learn's RandomForestClassifier (n_jobs=1) on
 * the same features and labels: see bench/RESULTS.md.
 */
import { StitchgraphError } from '../errors.js';
import { binFeatures } from './_bin-features.js';
import { growTree, seededRandom, type TreeNodes } from './_grow-tree.js';
import { predictFeatureMajorKernel, treeDepths } from './_forest-kernel.js';

export interface RandomForestOptions {
  /** @default 48 (32 before: 48 with 256 bins gained 0.005 Dice on average on the bench phantom, 0.3-0.5 % labels, for 0.1 s more) */
  trees?: number;
  /** @default 12 */
  maxDepth?: number;
  /** @default 2 */
  minSamplesLeaf?: number;
  /** Features tried per split. @default ceil(sqrt(feature count)) */
  maxFeatures?: number;
  /** Quantile bins per feature for split search (≤ 256). @default 256 (with a few thousand labels, 64 bins missed fine thresholds) */
  bins?: number;
  /** @default 1 */
  seed?: number;
}

/** The JSON form of a forest (inside the classifier model file). */
export interface RandomForestJson {
  featureCount: number;
  roots: number[];
  feature: number[];
  threshold: number[];
  left: number[];
  value: number[];
}

export class RandomForest {
  private depths: Int32Array | undefined;

  private constructor(
    readonly featureCount: number,
    readonly roots: Int32Array,
    readonly feature: Int32Array,
    readonly threshold: Float32Array,
    readonly left: Int32Array,
    readonly value: Float32Array,
  ) {}

  get treeCount(): number {
    return this.roots.length;
  }

  /**
   * Train on `n` samples of `featureCount` interleaved features (`X[i * F + f]`) with labels
   * 0 / 1. Each tree sees a bootstrap sample of the training set.
   */
  static train(X: Float32Array, labels: Uint8Array, n: number, featureCount: number, opts: RandomForestOptions = {}): RandomForest {
    const { trees = 48, maxDepth = 12, minSamplesLeaf = 2, maxFeatures = Math.ceil(Math.sqrt(featureCount)), bins = 256, seed = 1 } = opts;
    if (n < 2 || X.length < n * featureCount || labels.length < n) throw new StitchgraphError('InputError', `Cannot train a random forest: ${n} samples of ${featureCount} features (need at least 2, and X of n × F values)`);
    if (bins < 2 || bins > 256) throw new StitchgraphError('InputError', `Cannot train a random forest: bins ${bins} must be in 2..256`);
    const set = binFeatures(X, n, featureCount, labels, bins);
    const rand = seededRandom(seed);
    const grown: TreeNodes[] = [];
    for (let t = 0; t < trees; t++) {
      const idx = new Int32Array(n);
      for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
      grown.push(growTree(set, idx, { maxDepth, minSamplesLeaf, maxFeatures }, rand));
    }
    return RandomForest.fromTrees(featureCount, grown);
  }

  private static fromTrees(featureCount: number, trees: TreeNodes[]): RandomForest {
    const total = trees.reduce((s, t) => s + t.left.length, 0);
    const roots = new Int32Array(trees.length);
    const feature = new Int32Array(total), threshold = new Float32Array(total), left = new Int32Array(total), value = new Float32Array(total);
    let base = 0;
    trees.forEach((t, i) => {
      roots[i] = base;
      for (let k = 0; k < t.left.length; k++) {
        feature[base + k] = t.feature[k];
        threshold[base + k] = t.threshold[k];
        left[base + k] = t.left[k] < 0 ? -1 : t.left[k] + base;
        value[base + k] = t.value[k];
      }
      base += t.left.length;
    });
    return new RandomForest(featureCount, roots, feature, threshold, left, value);
  }

  /** Probability of class 1 for `n` samples of interleaved features (`X[i * featureCount + f]`). */
  predict(X: Float32Array, n: number, out: Float32Array = new Float32Array(n)): Float32Array {
    return this.walk(X, n, this.featureCount, 1, out);
  }

  /**
   * Probability of class 1 for `n` samples of feature-major features (`X[f * n + i]`, as
   * `pixelFeatures` gives them), in the WebAssembly kernel (the same result as `predict`).
   */
  predictFeatureMajor(X: Float32Array, n: number, out: Float32Array = new Float32Array(n)): Float32Array {
    if (X.length < n * this.featureCount) throw new StitchgraphError('InputError', `Cannot predict: ${X.length} feature values for ${n} samples of ${this.featureCount} features`);
    this.depths ??= treeDepths(this);
    return predictFeatureMajorKernel(this, this.depths, X, n, this.featureCount, out);
  }

  /** Every sample through every tree: sample i's feature f at X[i * sampleStride + f * featureStride]. */
  private walk(X: Float32Array, n: number, sampleStride: number, featureStride: number, out: Float32Array): Float32Array {
    const { roots, left, value, feature, threshold } = this;
    const T = roots.length;
    for (let i = 0, base = 0; i < n; i++, base += sampleStride) {
      let sum = 0;
      for (let t = 0; t < T; t++) {
        let node = roots[t];
        let l = left[node];
        while (l >= 0) {
          node = X[base + feature[node] * featureStride] <= threshold[node] ? l : l + 1;
          l = left[node];
        }
        sum += value[node];
      }
      out[i] = sum / T;
    }
    return out;
  }

  toJSON(): RandomForestJson {
    return { featureCount: this.featureCount, roots: [...this.roots], feature: [...this.feature], threshold: [...this.threshold], left: [...this.left], value: [...this.value] };
  }

  static fromJSON(j: RandomForestJson): RandomForest {
    const n = j.left.length;
    if (![j.feature, j.threshold, j.value].every((a) => Array.isArray(a) && a.length === n) || !Array.isArray(j.roots) || j.roots.length === 0) {
      throw new StitchgraphError('InputError', 'Cannot read a random forest: its node arrays are missing or of different lengths');
    }
    if (j.feature.some((f) => f < 0 || f >= j.featureCount) || j.left.some((l) => l >= n - 1) || j.roots.some((r) => r < 0 || r >= n)) {
      throw new StitchgraphError('InputError', 'Cannot read a random forest: a node points outside the forest');
    }
    return new RandomForest(j.featureCount, Int32Array.from(j.roots), Int32Array.from(j.feature), Float32Array.from(j.threshold), Int32Array.from(j.left), Float32Array.from(j.value));
  }
}

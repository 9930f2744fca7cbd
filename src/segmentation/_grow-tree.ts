/**
 * One classification tree of a random forest (Breiman 2001, "Random Forests", Machine Learning
 * 45:5–32, doi:10.1023/A:1010933404324), grown on pre-binned features: at each node a random
 * subset of features is tried and each split is found from per-bin class counts (as LightGBM and
 * scikit-learn's HistGradientBoosting do) instead of sorting the node's samples, which keeps
 * training linear in the samples per level.
 */

import { Random } from '../synth/random.js';

/** Nodes of a tree, children of node i at left[i] and left[i] + 1; left = -1 marks a leaf. */
export interface TreeNodes {
  feature: number[];
  /** Split: go left when value ≤ threshold. */
  threshold: number[];
  left: number[];
  /** Leaf: fraction of the class-1 samples that reached it. */
  value: number[];
}

export interface GrowParams {
  maxDepth: number;
  minSamplesLeaf: number;
  maxFeatures: number;
}

/** The training set in binned form, shared by every tree. */
export interface BinnedSet {
  /** bins[i * featureCount + f]: bin of sample i's feature f. */
  bins: Uint8Array;
  featureCount: number;
  /** edges[f][b]: upper value of bin b of feature f (bin b holds values ≤ edges[f][b]). */
  edges: Float32Array[];
  labels: Uint8Array;
}

/** Uniform numbers in [0, 1) from a seed (the project's mulberry32 `Random`): trees must be reproducible. */
export function seededRandom(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

interface Split {
  feature: number;
  bin: number;
}

/** The best Gini split of the samples idx[lo, hi) over a random subset of features, if any. */
function bestSplit(set: BinnedSet, idx: Int32Array, lo: number, hi: number, p: GrowParams, rand: () => number, hist: Float64Array, order: Int32Array): Split | undefined {
  const F = set.featureCount;
  for (let f = 0; f < F; f++) order[f] = f;
  let best: Split | undefined, bestScore = -Infinity;
  const tries = Math.min(p.maxFeatures, F);
  for (let t = 0; t < tries; t++) {
    const j = t + Math.floor(rand() * (F - t));
    const f = order[j];
    order[j] = order[t];
    order[t] = f;
    const nb = set.edges[f].length;
    hist.fill(0, 0, 2 * nb);
    for (let i = lo; i < hi; i++) {
      const s = idx[i];
      hist[2 * set.bins[s * F + f] + set.labels[s]]++;
    }
    let l0 = 0, l1 = 0;
    let r0 = 0, r1 = 0;
    for (let b = 0; b < nb; b++) {
      r0 += hist[2 * b];
      r1 += hist[2 * b + 1];
    }
    for (let b = 0; b < nb - 1; b++) {
      l0 += hist[2 * b];
      l1 += hist[2 * b + 1];
      r0 -= hist[2 * b];
      r1 -= hist[2 * b + 1];
      const nl = l0 + l1, nr = r0 + r1;
      if (nl < p.minSamplesLeaf || nr < p.minSamplesLeaf) continue;
      // Maximising Σ (class count)² / side size minimises the weighted Gini impurity.
      const score = (l0 * l0 + l1 * l1) / nl + (r0 * r0 + r1 * r1) / nr;
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = { feature: f, bin: b };
      }
    }
  }
  return best;
}

/** Grow one tree on the (bootstrap) sample list `idx`. */
export function growTree(set: BinnedSet, idx: Int32Array, p: GrowParams, rand: () => number): TreeNodes {
  const nodes: TreeNodes = { feature: [0], threshold: [0], left: [-1], value: [0] };
  const maxBins = Math.max(...set.edges.map((e) => e.length));
  const hist = new Float64Array(2 * maxBins);
  const order = new Int32Array(set.featureCount);
  const F = set.featureCount;
  const stack: [number, number, number, number][] = [[0, 0, idx.length, 0]];
  while (stack.length > 0) {
    const [node, lo, hi, depth] = stack.pop()!;
    let n1 = 0;
    for (let i = lo; i < hi; i++) n1 += set.labels[idx[i]];
    const n = hi - lo;
    nodes.value[node] = n1 / n;
    if (depth >= p.maxDepth || n1 === 0 || n1 === n || n < 2 * p.minSamplesLeaf) continue;
    const split = bestSplit(set, idx, lo, hi, p, rand, hist, order);
    if (!split) continue;
    // Partition: samples with bin ≤ split.bin first.
    let m = lo;
    for (let i = lo; i < hi; i++) {
      const s = idx[i];
      if (set.bins[s * F + split.feature] <= split.bin) {
        idx[i] = idx[m];
        idx[m++] = s;
      }
    }
    const left = nodes.left.length;
    nodes.feature[node] = split.feature;
    nodes.threshold[node] = set.edges[split.feature][split.bin];
    nodes.left[node] = left;
    for (let c = 0; c < 2; c++) {
      nodes.feature.push(0);
      nodes.threshold.push(0);
      nodes.left.push(-1);
      nodes.value.push(0);
    }
    stack.push([left, lo, m, depth + 1], [left + 1, m, hi, depth + 1]);
  }
  return nodes;
}

/**
 * Trainable voxel classification (as ilastik's pixel classification): multiscale features in µm
 * and a random forest, trained from sparse labels (0 unlabelled, 1 background, 2 structure, the
 * ilastik export convention) and applied to any block read with `halo()` voxels around it.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import { featureHalo, featureNames, withPixelFeatures, type PixelFeatures } from './pixel-features.js';
import { RandomForest, type RandomForestJson, type RandomForestOptions } from './random-forest.js';

/** The model file's content (`classifier.json`). */
export interface PixelClassifierJson {
  format: 'stitchgraph-pixel-classifier';
  version: 1;
  sigmas_um: number[];
  /** Voxel size the model was trained at (z, y, x, µm): features are physical, so another volume may differ. */
  voxel_size: Vec3;
  feature_names: string[];
  training: { background_voxels: number; structure_voxels: number };
  forest: RandomForestJson;
}

/** Labelled samples gathered from blocks: interleaved features and 0 / 1 classes. */
export interface TrainingSamples {
  X: Float32Array;
  classes: Uint8Array;
  n: number;
  featureCount: number;
}

/** Features of the labelled voxels of a core: `labels` covers the core (0 skip, 1 background, 2 structure). */
export function labelledSamples(data: ArrayLike<number>, read: Box3, core: Box3, labels: ArrayLike<number>, sigmasUm: number[], voxelSize: Vec3): TrainingSamples {
  let any = false;
  for (let i = 0; i < labels.length && !any; i++) any = labels[i] === 1 || labels[i] === 2;
  const F = featureNames(sigmasUm).length;
  if (!any) return { X: new Float32Array(0), classes: new Uint8Array(0), n: 0, featureCount: F };
  return withPixelFeatures(data, read, core, { sigmasUm, voxelSize }, (f) => samplesFromFeatures(f, labels));
}

/** The labelled voxels' rows of a feature table (`labels` in the same voxel order). */
export function samplesFromFeatures(f: PixelFeatures, labels: ArrayLike<number>): TrainingSamples {
  const F = f.count, V = f.voxels;
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1 || labels[i] === 2) n++;
  const X = new Float32Array(n * F), classes = new Uint8Array(n);
  for (let i = 0, k = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 1 && l !== 2) continue;
    for (let j = 0; j < F; j++) X[k * F + j] = f.values[j * V + i];
    classes[k++] = l === 2 ? 1 : 0;
  }
  return { X, classes, n, featureCount: F };
}

/** Samples of several blocks in one set. */
export function concatSamples(parts: TrainingSamples[], featureCount: number): TrainingSamples {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const X = new Float32Array(n * featureCount), classes = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    X.set(p.X, k * featureCount);
    classes.set(p.classes, k);
    k += p.n;
  }
  return { X, classes, n, featureCount };
}

export class PixelClassifier {
  constructor(
    readonly sigmasUm: number[],
    readonly voxelSize: Vec3,
    readonly forest: RandomForest,
    readonly training: { background_voxels: number; structure_voxels: number },
  ) {}

  /** Train on labelled samples; both classes must be present. */
  static train(s: TrainingSamples, sigmasUm: number[], voxelSize: Vec3, forest: RandomForestOptions = {}): PixelClassifier {
    let structure = 0;
    for (let i = 0; i < s.n; i++) structure += s.classes[i];
    if (structure === 0 || structure === s.n) {
      throw new StitchgraphError('InputError', `Cannot train the classifier: the labels hold ${s.n - structure} background (1) and ${structure} structure (2) voxels; label some of each`);
    }
    const rf = RandomForest.train(s.X, s.classes, s.n, s.featureCount, forest);
    return new PixelClassifier(sigmasUm, voxelSize, rf, { background_voxels: s.n - structure, structure_voxels: structure });
  }

  /** Voxels to read around a core, per axis, at this voxel size. */
  halo(voxelSize: Vec3 = this.voxelSize): Vec3 {
    return featureHalo(this.sigmasUm, voxelSize);
  }

  /** Probability of structure for every voxel of `core`, from the voxels of `read`. */
  probability(data: ArrayLike<number>, read: Box3, core: Box3, voxelSize: Vec3 = this.voxelSize): Float32Array {
    return withPixelFeatures(data, read, core, { sigmasUm: this.sigmasUm, voxelSize }, (f) => this.forest.predictFeatureMajor(f.values, f.voxels));
  }

  toJSON(): PixelClassifierJson {
    return {
      format: 'stitchgraph-pixel-classifier',
      version: 1,
      sigmas_um: this.sigmasUm,
      voxel_size: this.voxelSize,
      feature_names: featureNames(this.sigmasUm),
      training: this.training,
      forest: this.forest.toJSON(),
    };
  }

  static fromJSON(j: PixelClassifierJson, source = 'the model'): PixelClassifier {
    if (j?.format !== 'stitchgraph-pixel-classifier' || j.version !== 1) throw new StitchgraphError('InputError', `Cannot read ${source}: not a stitchgraph pixel classifier (format ${String(j?.format)}, version ${String(j?.version)})`);
    if (featureNames(j.sigmas_um).length !== j.forest.featureCount) throw new StitchgraphError('InputError', `Cannot read ${source}: ${j.forest.featureCount} forest features but ${featureNames(j.sigmas_um).length} from sigmas_um`);
    return new PixelClassifier(j.sigmas_um, j.voxel_size, RandomForest.fromJSON(j.forest), j.training);
  }
}

import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import type { BlockSource } from '../analysis/block-source.js';
import { volumeBlocks } from '../analysis/analyze-volume.js';
import { concatSamples, labelledSamples, PixelClassifier, type TrainingSamples } from './pixel-classifier.js';
import { featureHalo, featureNames } from './pixel-features.js';
import { growBox } from './segment-block.js';

export interface TrainClassifierOptions {
  sigmasUm: number[];
  voxelSize: Vec3;
  trees: number;
  maxDepth: number;
  /** Block edge (voxels) for reading labels and computing features. */
  block: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Train a pixel classifier from a sparse label image over a volume (0 unlabelled, 1 background,
 * 2 structure): features are computed only for the blocks that hold labels, each read with the
 * feature halo, so a few labelled crops of a whole organ cost a few blocks. Only the labelled
 * voxels' features are kept (their count bounds the memory).
 */
export async function trainClassifier(image: BlockSource, labels: BlockSource, opts: TrainClassifierOptions): Promise<PixelClassifier> {
  const shape = image.shape;
  if (labels.shape.some((s, a) => s !== shape[a])) {
    throw new StitchgraphError('InputError', `Cannot train the classifier: the labels are [${labels.shape}] but the volume is [${shape}] (z, y, x); they must match voxel for voxel`);
  }
  const halo = featureHalo(opts.sigmasUm, opts.voxelSize);
  const boxes = volumeBlocks(shape, [opts.block, opts.block, opts.block]);
  const parts: TrainingSamples[] = [];
  for (const [i, core] of boxes.entries()) {
    opts.signal?.throwIfAborted();
    const lab = await labels.read(core);
    let any = false;
    for (let k = 0; k < lab.length && !any; k++) any = lab[k] === 1 || lab[k] === 2;
    if (any) {
      const read = growBox(core, halo, shape);
      parts.push(labelledSamples(await image.read(read), read, core, lab, opts.sigmasUm, opts.voxelSize));
    }
    opts.onProgress?.(i + 1, boxes.length);
  }
  const samples = concatSamples(parts, featureNames(opts.sigmasUm).length);
  return PixelClassifier.train(samples, opts.sigmasUm, opts.voxelSize, { trees: opts.trees, maxDepth: opts.maxDepth });
}

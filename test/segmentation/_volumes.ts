import type { Vec3 } from '../../src/geometry/box.js';
import { ZarrV2Array } from '../../src/imageio/zarr-v2-array.js';
import { seededRandom } from '../../src/segmentation/_grow-tree.js';

export function dice(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let both = 0, p = 0, t = 0;
  for (let i = 0; i < truth.length; i++) {
    both += pred[i] && truth[i] ? 1 : 0;
    p += pred[i] ? 1 : 0;
    t += truth[i] ? 1 : 0;
  }
  return (2 * both) / (p + t);
}

/** Sparse ilastik-style labels: a random `fraction` of the voxels, 2 where the truth is set, else 1. */
export function sparseLabels(truth: Uint8Array, fraction: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const labels = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) if (rand() < fraction) labels[i] = truth[i] ? 2 : 1;
  return labels;
}

export async function readMask(store: string, shape: Vec3): Promise<Uint8Array> {
  const arr = await ZarrV2Array.open(`${store}/0`);
  return (await arr.readRegion([0, 0, 0], shape)) as Uint8Array;
}

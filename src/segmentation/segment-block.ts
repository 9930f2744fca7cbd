/**
 * One block's mask, as a pure function of the voxels read around it: a per-voxel response
 * (smoothed intensity, vesselness or the classifier's probability of structure), a threshold on
 * it (resolved for the whole volume beforehand), then the optional opening, closing and hole
 * filling of the `analysis:` section. The block's core is read with `segmentHalo` voxels around it
 * so the core's mask equals the whole volume's.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { gaussianFilter, gaussianRadius } from '../analysis/gaussian-filter.js';
import { binaryMorphology } from '../analysis/binary-morphology.js';
import { fillHoles } from '../analysis/fill-holes.js';
import { haloBox } from '../analysis/analyze-block.js';
import { vesselness, vesselnessHalo } from './vesselness.js';
import type { PixelClassifier } from './pixel-classifier.js';

/** What makes the response of a block (the threshold applies to it). */
export type ResponseParams =
  | { method: 'threshold'; smooth_sigma: number }
  | { method: 'vesselness'; sigmas_um: number[] }
  | { method: 'classifier' };

export interface MaskParams {
  response: ResponseParams;
  /** Foreground is response > threshold. */
  threshold: number;
  open_radius: number;
  close_radius: number;
  fill_holes: boolean;
}

/** Voxels of response needed around a box (per axis) so the response on the box is exact. */
export function responseHalo(r: ResponseParams, voxelSize: Vec3, classifier?: PixelClassifier): Vec3 {
  if (r.method === 'threshold') return [0, 1, 2].map(() => gaussianRadius(r.smooth_sigma)) as Vec3;
  if (r.method === 'vesselness') return vesselnessHalo(r.sigmas_um, voxelSize);
  return classifier!.halo(voxelSize);
}

/** Voxels of mask needed around a core for opening / closing (2 × radius each). */
export function morphologyHalo(p: MaskParams): number {
  return 2 * p.open_radius + 2 * p.close_radius;
}

/** The box read for a core: core + morphology halo + response halo, clipped to the volume. */
export function segmentReadBox(core: Box3, p: MaskParams, voxelSize: Vec3, volumeShape: Vec3, classifier?: PixelClassifier): Box3 {
  const inner = haloBox(core, morphologyHalo(p), volumeShape);
  return growBox(inner, responseHalo(p.response, voxelSize, classifier), volumeShape);
}

/** A box grown by a per-axis halo, clipped to the volume. */
export function growBox(box: Box3, halo: Vec3, volumeShape: Vec3): Box3 {
  const start = box.start.map((s, a) => Math.max(0, s - halo[a])) as Vec3;
  const size = box.start.map((s, a) => Math.min(volumeShape[a], s + box.size[a] + halo[a]) - start[a]) as Vec3;
  return { start, size };
}

/** Copy box `inner` (inside `outer`) out of an array over `outer`. */
export function cropBox<T extends Float32Array | Uint8Array>(src: T, outer: Box3, inner: Box3, out: T): T {
  const [, oh, ow] = outer.size;
  const [d, h, w] = inner.size;
  const oz = inner.start[0] - outer.start[0], oy = inner.start[1] - outer.start[1], ox = inner.start[2] - outer.start[2];
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const s = ((z + oz) * oh + y + oy) * ow + ox;
      out.set(src.subarray(s, s + w), (z * h + y) * w);
    }
  return out;
}

/** The response on `box` (inside `read`), from the voxels of `read`. */
export function blockResponse(data: ArrayLike<number>, read: Box3, box: Box3, r: ResponseParams, voxelSize: Vec3, classifier?: PixelClassifier): Float32Array {
  const n = box.size[0] * box.size[1] * box.size[2];
  if (r.method === 'classifier') return classifier!.probability(data, read, box, voxelSize);
  const full = r.method === 'vesselness' ? vesselness(data, read.size, { sigmasUm: r.sigmas_um, voxelSize }) : r.smooth_sigma > 0 ? gaussianFilter(data, read.size, r.smooth_sigma) : Float32Array.from(data);
  return cropBox(full, read, box, new Float32Array(n));
}

/** The mask of `core` (0 / 1, C order), from the voxels of `read` (= `segmentReadBox`). */
export function segmentBlock(data: ArrayLike<number>, read: Box3, core: Box3, volumeShape: Vec3, p: MaskParams, voxelSize: Vec3, classifier?: PixelClassifier): Uint8Array {
  const maskBox = haloBox(core, morphologyHalo(p), volumeShape);
  const response = blockResponse(data, read, maskBox, p.response, voxelSize, classifier);
  let mask: Uint8Array = new Uint8Array(response.length);
  for (let o = 0; o < response.length; o++) mask[o] = response[o] > p.threshold ? 1 : 0;
  if (p.open_radius > 0) mask = binaryMorphology(mask, maskBox.size, 'open', p.open_radius);
  if (p.close_radius > 0) mask = binaryMorphology(mask, maskBox.size, 'close', p.close_radius);
  if (p.fill_holes) mask = fillHoles(mask, maskBox.size);
  return cropBox(mask, maskBox, core, new Uint8Array(core.size[0] * core.size[1] * core.size[2]));
}

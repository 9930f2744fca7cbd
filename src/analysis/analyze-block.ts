/**
 * One block of a block-wise analysis, as a pure function of the voxels read around it.
 *
 * A block's core is a box of the volume; it is read with a halo (clipped to the volume) so that
 * everything computed for core voxels sees the same neighbourhood as in the whole volume:
 * smoothing (4 σ), opening / closing (2 × radius each), thinning and radii (the `halo` setting,
 * which should exceed the largest radius expected). Labels are computed on the core only and merged
 * across block faces afterwards (`mergeBlockResults`), from the foreground voxels on the core's shell.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { boxEnd } from '../geometry/box.js';
import { gaussianFilter, gaussianRadius } from './gaussian-filter.js';
import { binaryMorphology } from './binary-morphology.js';
import { fillHoles } from './fill-holes.js';
import { labelComponents, type Connectivity } from './label-components.js';
import { blockComponentStats } from './component-measures.js';
import { skeletonizeLee } from './skeletonize-lee.js';
import { distanceTransform } from './distance-transform.js';
import { eulerContributions } from './euler-contributions.js';

/** Segmentation of one volume, with its threshold already resolved. */
export interface SegmentParams {
  /** Foreground is value > threshold (after smoothing). */
  threshold: number;
  smooth_sigma: number;
  open_radius: number;
  close_radius: number;
  fill_holes: boolean;
}

export interface BlockResult {
  core: Box3;
  /** Labels 1..count of the core. */
  count: number;
  /** STAT_STRIDE numbers per label, label 0 first (unused). */
  stats: number[];
  /** Foreground voxels on the core's faces shared with other blocks: global linear index and local label. */
  shellIndex: number[];
  shellLabel: number[];
  /** Skeleton voxels of the core: global linear index, radius (µm), local label. */
  skelIndex: number[];
  skelRadius: number[];
  skelLabel: number[];
  foreground: number;
  /** Per label (index 0 unused): Euler characteristic × EULER_SCALE (euler-contributions.ts). */
  euler: number[];
  /** Largest radius (µm) at a skeleton voxel of the core (0 without skeleton). */
  maxRadius: number;
  /** The core's labels, only when asked (tests). */
  labels?: Int32Array;
}

/** The halo segmentation needs on every side, before the thinning halo is added. */
export function segmentationHalo(p: SegmentParams): number {
  return gaussianRadius(p.smooth_sigma) + 2 * p.open_radius + 2 * p.close_radius;
}

/** Box read for a core: the core grown by `halo` voxels, clipped to the volume. */
export function haloBox(core: Box3, halo: number, volumeShape: Vec3): Box3 {
  const start: Vec3 = [0, 0, 0], size: Vec3 = [0, 0, 0];
  const end = boxEnd(core);
  for (let i = 0; i < 3; i++) {
    start[i] = Math.max(0, core.start[i] - halo);
    size[i] = Math.min(volumeShape[i], end[i] + halo) - start[i];
  }
  return { start, size };
}

/** Foreground mask of a box of intensities. */
export function segmentVoxels(data: ArrayLike<number>, shape: Vec3, p: SegmentParams): Uint8Array {
  const vals = p.smooth_sigma > 0 ? gaussianFilter(data, shape, p.smooth_sigma) : data;
  let mask: Uint8Array = new Uint8Array(vals.length);
  const t = p.threshold;
  for (let o = 0; o < vals.length; o++) mask[o] = vals[o] > t ? 1 : 0;
  if (p.open_radius > 0) mask = binaryMorphology(mask, shape, 'open', p.open_radius);
  if (p.close_radius > 0) mask = binaryMorphology(mask, shape, 'close', p.close_radius);
  if (p.fill_holes) mask = fillHoles(mask, shape);
  return mask;
}

export interface AnalyzeBlockOptions {
  connectivity: Connectivity;
  voxelSize: Vec3;
  /** Skip thinning (labelling and measures only). @default false */
  noSkeleton?: boolean;
  keepLabels?: boolean;
}

/**
 * Analyse one block from the voxels of `read` (the core grown by the halo, clipped to the volume):
 * threshold-based segmentation, then `analyzeBlockMask`.
 */
export function analyzeBlockData(data: ArrayLike<number>, read: Box3, core: Box3, volumeShape: Vec3, seg: SegmentParams, opts: AnalyzeBlockOptions): BlockResult {
  return analyzeBlockMask(segmentVoxels(data, read.size, seg), read, core, volumeShape, opts);
}

/**
 * The block's tables from its binary mask: the seam every segmentation method plugs into.
 * `mask` (0/1, C-order) covers `read` (the core grown by the halo, clipped to the volume); the
 * core is labelled and measured, the whole box is thinned so the core's skeleton and radii see
 * the neighbourhood the whole volume would give them.
 */
export function analyzeBlockMask(mask: Uint8Array, read: Box3, core: Box3, volumeShape: Vec3, opts: AnalyzeBlockOptions): BlockResult {
  const offset: Vec3 = [core.start[0] - read.start[0], core.start[1] - read.start[1], core.start[2] - read.start[2]];
  const { coreMask, foreground } = cropCore(mask, read.size, offset, core.size);
  const { labels, count } = labelComponents(coreMask, core.size, opts.connectivity);
  const [rd, rh, rw] = read.size;
  const fg = (gz: number, gy: number, gx: number) => {
    const z = gz - read.start[0], y = gy - read.start[1], x = gx - read.start[2];
    if (z < 0 || y < 0 || x < 0 || z >= rd || y >= rh || x >= rw) return false;
    return mask[(z * rh + y) * rw + x] !== 0;
  };
  const stats = blockComponentStats(labels, count, core.size, core.start, volumeShape, fg);
  const euler = eulerContributions(mask, read.size, offset, labels, count, core.size, opts.connectivity);
  const shell = coreShell(labels, core, volumeShape);
  const skel = !opts.noSkeleton && foreground > 0 ? coreSkeleton(mask, read, core, offset, labels, volumeShape, opts.voxelSize) : { skelIndex: [], skelRadius: [], skelLabel: [], maxRadius: 0 };
  return {
    core,
    count,
    stats: Array.from(stats),
    ...shell,
    ...skel,
    foreground,
    euler: Array.from(euler),
    ...(opts.keepLabels ? { labels } : {}),
  };
}

function cropCore(mask: Uint8Array, readShape: Vec3, offset: Vec3, coreShape: Vec3): { coreMask: Uint8Array; foreground: number } {
  const [, rh, rw] = readShape;
  const [cd, ch, cw] = coreShape;
  const coreMask = new Uint8Array(cd * ch * cw);
  let foreground = 0;
  for (let z = 0, o = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      let r = ((z + offset[0]) * rh + (y + offset[1])) * rw + offset[2];
      for (let x = 0; x < cw; x++, o++, r++) foreground += coreMask[o] = mask[r] !== 0 ? 1 : 0;
    }
  return { coreMask, foreground };
}

const globalIndex = (core: Box3, volumeShape: Vec3) => (z: number, y: number, x: number) =>
  ((core.start[0] + z) * volumeShape[1] + core.start[1] + y) * volumeShape[2] + core.start[2] + x;

/** Foreground voxels on the core's faces shared with other blocks (the volume's own faces join nothing). */
function coreShell(labels: Int32Array, core: Box3, volumeShape: Vec3): { shellIndex: number[]; shellLabel: number[] } {
  const [cd, ch, cw] = core.size;
  const gidx = globalIndex(core, volumeShape);
  const shellIndex: number[] = [], shellLabel: number[] = [];
  for (let z = 0, o = 0; z < cd; z++)
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++, o++) {
        const l = labels[o];
        if (l === 0) continue;
        if (
          (z === 0 && core.start[0] > 0) || (z === cd - 1 && core.start[0] + cd < volumeShape[0]) ||
          (y === 0 && core.start[1] > 0) || (y === ch - 1 && core.start[1] + ch < volumeShape[1]) ||
          (x === 0 && core.start[2] > 0) || (x === cw - 1 && core.start[2] + cw < volumeShape[2])
        ) {
          shellIndex.push(gidx(z, y, x));
          shellLabel.push(l);
        }
      }
  return { shellIndex, shellLabel };
}

/** Skeleton voxels of the core (the whole box read is thinned), their radius (µm) and local label. */
function coreSkeleton(mask: Uint8Array, read: Box3, core: Box3, offset: Vec3, labels: Int32Array, volumeShape: Vec3, voxelSize: Vec3) {
  const [rd, rh, rw] = read.size;
  const [cd, ch, cw] = core.size;
  const [oz, oy, ox] = offset;
  const gidx = globalIndex(core, volumeShape);
  const skel = skeletonizeLee(mask, read.size);
  const dist = distanceTransform(mask, read.size, voxelSize);
  const skelIndex: number[] = [], skelRadius: number[] = [], skelLabel: number[] = [];
  let maxRadius = 0;
  for (let z = 0, o = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      let r = ((z + oz) * rh + (y + oy)) * rw + ox;
      for (let x = 0; x < cw; x++, o++, r++) {
        if (skel[r] === 0) continue;
        skelIndex.push(gidx(z, y, x));
        // No background anywhere in the box read: the radius is at least the distance to its faces.
        const zz = z + oz, yy = y + oy, xx = x + ox;
        const radius = Number.isFinite(dist[r])
          ? dist[r]
          : Math.min(Math.min(zz + 1, rd - zz) * voxelSize[0], Math.min(yy + 1, rh - yy) * voxelSize[1], Math.min(xx + 1, rw - xx) * voxelSize[2]);
        skelRadius.push(radius);
        if (radius > maxRadius) maxRadius = radius;
        skelLabel.push(labels[o]);
      }
    }
  return { skelIndex, skelRadius, skelLabel, maxRadius };
}

import type { Vec3 } from '../geometry/box.js';
import { allocTyped, type TileDtype, type TileTypedArray } from '../zarrio/dtypes.js';

export interface BlockMeanLevelInput {
  /** Voxels of level k−1 (C order), any numeric typed array. */
  data: ArrayLike<number>;
  /** Shape of `data` (a box of level k−1). */
  shape: Vec3;
  /** Where `data` starts, in level k−1 voxels; a multiple of `step`. */
  start: Vec3;
  /** Factors of level k−1 (level-0 voxels per voxel). */
  factors: Vec3;
  /** Level k−1 voxels per level k voxel. */
  step: Vec3;
  /** Shape of the source tile (level 0): its edge clips the last block of every level. */
  tileShape: Vec3;
  /** Voxel type of the result; integers are rounded (half away from zero). */
  dtype: TileDtype;
  /**
   * Voxels equal to this carry no image (the tile's fill_value, e.g. outside a tomogram's field of
   * view); NaN never does. Such voxels are left out of the means, and a voxel with none but them
   * gets this value (NaN when undefined), so the empty border does not darken coarse levels.
   */
  fill?: number;
}

/** Level-0 voxels each level voxel covers along one axis, for `n` voxels from `start` (clipped at the tile edge). */
function axisWeights(start: number, n: number, factor: number, tileSize: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = start + i;
    w[i] = Math.min((g + 1) * factor, tileSize) - g * factor;
  }
  return w;
}

function sumBlocks(w: Float64Array, step: number, n: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < w.length; i++) s[Math.floor(i / step)] += w[i];
  return s;
}

/**
 * One block of pyramid level k from level k−1. Level-k voxel j is the mean of the level-0 voxels
 * [j·f, (j+1)·f) per axis (f its factors), clipped at the tile edge: each level k−1 voxel counts
 * with the number of level-0 voxels it stands for, so the last, clipped voxels of a level weigh
 * what they cover and a level built from the level below equals the mean over level 0 exactly
 * (up to the rounding of integer levels). Its centre sits at level-0 coordinate (j + 0.5)·f − 0.5.
 *
 * Returns the block (shape ceil(shape / step)) in `dtype`.
 */
export function blockMeanLevel(input: BlockMeanLevelInput): { data: TileTypedArray; shape: Vec3 } {
  const hasEmpty = input.fill !== undefined || input.dtype.startsWith('float');
  return hasEmpty ? maskedBlockMean(input) : plainBlockMean(input);
}

/** Every voxel carries image: the total weight of a block is the product of its per-axis sums. */
function plainBlockMean(input: BlockMeanLevelInput): { data: TileTypedArray; shape: Vec3 } {
  const { data, shape, start, factors, step, tileShape, dtype } = input;
  const out = shape.map((s, a) => Math.ceil(s / step[a])) as Vec3;
  const [D, H, W] = shape;
  const [, OH, OW] = out;
  const wz = axisWeights(start[0], D, factors[0], tileShape[0]);
  const wy = axisWeights(start[1], H, factors[1], tileShape[1]);
  const wx = axisWeights(start[2], W, factors[2], tileShape[2]);
  const acc = new Float64Array(out[0] * OH * OW);
  const sx = step[2];
  for (let z = 0; z < D; z++) {
    const oz = Math.floor(z / step[0]);
    for (let y = 0; y < H; y++) {
      const wzy = wz[z] * wy[y];
      const row = (z * H + y) * W;
      const o = (oz * OH + Math.floor(y / step[1])) * OW;
      for (let ox = 0, x = 0; ox < OW; ox++) {
        let sum = 0;
        for (const end = Math.min(x + sx, W); x < end; x++) sum += data[row + x] * wx[x];
        acc[o + ox] += sum * wzy;
      }
    }
  }
  // The weights are a product of per-axis weights, so each block's total weight is the product of its per-axis sums.
  const [tz, ty, tx] = [sumBlocks(wz, step[0], out[0]), sumBlocks(wy, step[1], OH), sumBlocks(wx, step[2], OW)];
  const result = allocTyped(dtype, acc.length);
  const round = !dtype.startsWith('float');
  for (let z = 0, i = 0; z < out[0]; z++)
    for (let y = 0; y < OH; y++)
      for (let x = 0; x < OW; x++, i++) {
        const mean = acc[i] / (tz[z] * ty[y] * tx[x]);
        result[i] = round ? Math.sign(mean) * Math.round(Math.abs(mean)) : mean;
      }
  return { data: result, shape: out };
}

/** Voxels equal to the fill value (or NaN) are left out: weights are summed voxel by voxel. */
function maskedBlockMean(input: BlockMeanLevelInput): { data: TileTypedArray; shape: Vec3 } {
  const { data, shape, start, factors, step, tileShape, dtype, fill } = input;
  const out = shape.map((s, a) => Math.ceil(s / step[a])) as Vec3;
  const [D, H, W] = shape;
  const [, OH, OW] = out;
  const wz = axisWeights(start[0], D, factors[0], tileShape[0]);
  const wy = axisWeights(start[1], H, factors[1], tileShape[1]);
  const wx = axisWeights(start[2], W, factors[2], tileShape[2]);
  const acc = new Float64Array(out[0] * OH * OW);
  const total = new Float64Array(acc.length);
  for (let z = 0; z < D; z++) {
    const oz = Math.floor(z / step[0]);
    for (let y = 0; y < H; y++) {
      const wzy = wz[z] * wy[y];
      const row = (z * H + y) * W;
      const o = (oz * OH + Math.floor(y / step[1])) * OW;
      for (let x = 0; x < W; x++) {
        const v = data[row + x];
        if (v !== v || v === fill) continue;
        const w = wzy * wx[x];
        const i = o + Math.floor(x / step[2]);
        acc[i] += v * w;
        total[i] += w;
      }
    }
  }
  const result = allocTyped(dtype, acc.length);
  const round = !dtype.startsWith('float');
  const empty = fill ?? NaN;
  for (let i = 0; i < acc.length; i++) {
    if (total[i] === 0) {
      result[i] = empty;
      continue;
    }
    const mean = acc[i] / total[i];
    result[i] = round ? Math.sign(mean) * Math.round(Math.abs(mean)) : mean;
  }
  return { data: result, shape: out };
}

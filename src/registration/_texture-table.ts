/**
 * Summed-area tables of a coarse region's texture (squared forward differences between valid
 * neighbours, their count, valid voxels), so that any box's mean texture and valid fraction cost
 * eight look-ups: window placement scores many candidate windows.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';

export interface TextureScore {
  /** Mean squared forward difference over valid neighbour pairs. */
  texture: number;
  /** Fraction of the box's voxels that are valid (voxels outside the region count as invalid). */
  valid: number;
}

type Data = TileTypedArray | Float32Array;

/** Energy of every voxel (its squared forward differences) when every voxel is valid; false on a NaN. */
function fillEnergyAllValid(data: Data, [d, h, w]: Vec3, energy: Float64Array): boolean {
  const plane = h * w, W = w + 1, P = (h + 1) * (w + 1);
  // A NaN anywhere makes the running total NaN: one test at the end instead of one per voxel.
  let total = 0;
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const row = (z * h + y) * w;
      const t0 = (z + 1) * P + (y + 1) * W + 1;
      const hasY = y + 1 < h, hasZ = z + 1 < d;
      for (let x = 0; x < w; x++) {
        const o = row + x;
        const v = data[o];
        let e = 0;
        if (x + 1 < w) e += (data[o + 1] - v) ** 2;
        if (hasY) e += (data[o + w] - v) ** 2;
        if (hasZ) e += (data[o + plane] - v) ** 2;
        energy[t0 + x] = e;
        total += e + v;
      }
    }
  return total === total;
}

/** Energy, neighbour-pair count and validity of every voxel, honouring the mask and NaN. */
function fillMasked(data: Data, mask: Uint8Array | null, [d, h, w]: Vec3, [energy, pairs, valid]: Float64Array[]): void {
  const plane = h * w, W = w + 1, P = (h + 1) * (w + 1);
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++) {
      const row = (z * h + y) * w;
      const t0 = (z + 1) * P + (y + 1) * W + 1;
      for (let x = 0; x < w; x++) {
        const o = row + x;
        const v = data[o];
        if ((mask && mask[o] !== 1) || v !== v) continue;
        const t = t0 + x;
        valid[t] = 1;
        let e = 0, n = 0;
        if (x + 1 < w && (!mask || mask[o + 1] === 1) && data[o + 1] === data[o + 1]) {
          e += (data[o + 1] - v) ** 2;
          n++;
        }
        if (y + 1 < h && (!mask || mask[o + w] === 1) && data[o + w] === data[o + w]) {
          e += (data[o + w] - v) ** 2;
          n++;
        }
        if (z + 1 < d && (!mask || mask[o + plane] === 1) && data[o + plane] === data[o + plane]) {
          e += (data[o + plane] - v) ** 2;
          n++;
        }
        energy[t] = e;
        pairs[t] = n;
      }
    }
}

/** In-place 3-D prefix sum of a (d+1)×(h+1)×(w+1) table. */
function prefixSum(s: Float64Array, [d, h, w]: Vec3): void {
  const W = w + 1, P = (h + 1) * (w + 1);
  for (let z = 1; z <= d; z++)
    for (let y = 1; y <= h; y++) {
      const r = z * P + y * W;
      for (let x = 1; x <= w; x++) s[r + x] += s[r + x - 1] + s[r + x - W] - s[r + x - W - 1];
    }
  for (let z = 1; z <= d; z++) for (let i = 0; i < P; i++) s[z * P + i] += s[(z - 1) * P + i];
}

export class TextureTable {
  private readonly shape: Vec3;
  private readonly energy: Float64Array;
  /**
   * Pair-count and valid tables; null when every voxel is valid (no mask, no NaN), where both
   * follow from the box alone: one table instead of three, on every coarse region of every pair.
   */
  private readonly counts: [pairs: Float64Array, valid: Float64Array] | null;

  constructor(data: Data, mask: Uint8Array | null, private readonly box: Box3) {
    const [d, h, w] = box.size;
    this.shape = [d, h, w];
    const n = (d + 1) * (h + 1) * (w + 1);
    this.energy = new Float64Array(n);
    if (mask === null && fillEnergyAllValid(data, this.shape, this.energy)) this.counts = null;
    else {
      this.energy.fill(0);
      this.counts = [new Float64Array(n), new Float64Array(n)];
      fillMasked(data, mask, this.shape, [this.energy, ...this.counts]);
      prefixSum(this.counts[0], this.shape);
      prefixSum(this.counts[1], this.shape);
    }
    prefixSum(this.energy, this.shape);
  }

  /** Score of a box in level coordinates (clipped to the region). */
  score(box: Box3): TextureScore {
    const [, h, w] = this.shape;
    const lo = [0, 1, 2].map((ax) => Math.max(0, Math.min(this.shape[ax], box.start[ax] - this.box.start[ax]))) as Vec3;
    const hi = [0, 1, 2].map((ax) => Math.max(lo[ax], Math.min(this.shape[ax], box.start[ax] + box.size[ax] - this.box.start[ax]))) as Vec3;
    const total = box.size[0] * box.size[1] * box.size[2];
    if (total === 0) return { texture: 0, valid: 0 };
    const idx = (z: number, y: number, x: number): number => (z * (h + 1) + y) * (w + 1) + x;
    const sum = (s: Float64Array): number =>
      s[idx(hi[0], hi[1], hi[2])] - s[idx(lo[0], hi[1], hi[2])] - s[idx(hi[0], lo[1], hi[2])] - s[idx(hi[0], hi[1], lo[2])] +
      s[idx(lo[0], lo[1], hi[2])] + s[idx(lo[0], hi[1], lo[2])] + s[idx(hi[0], lo[1], lo[2])] - s[idx(lo[0], lo[1], lo[2])];
    const [pairs, valid] = this.counts ? [sum(this.counts[0]), sum(this.counts[1])] : this.allValidCounts(lo, hi);
    return { texture: pairs > 0 ? sum(this.energy) / pairs : 0, valid: valid / total };
  }

  /** Forward-neighbour pairs and voxels of the clipped box [lo, hi) when every voxel is valid. */
  private allValidCounts(lo: Vec3, hi: Vec3): [number, number] {
    const n = [0, 1, 2].map((ax) => hi[ax] - lo[ax]);
    // Voxels whose forward neighbour along ax lies inside the region (not only inside the box).
    const along = (ax: number): number => Math.max(0, Math.min(hi[ax], this.shape[ax] - 1) - lo[ax]);
    const pairs = along(0) * n[1] * n[2] + n[0] * along(1) * n[2] + n[0] * n[1] * along(2);
    return [pairs, n[0] * n[1] * n[2]];
  }
}

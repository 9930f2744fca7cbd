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

export class TextureTable {
  private readonly shape: Vec3;
  /** (d+1)×(h+1)×(w+1) tables: energy, pairs, valid. */
  private readonly sums: [Float64Array, Float64Array, Float64Array];

  constructor(data: TileTypedArray | Float32Array, mask: Uint8Array | null, private readonly box: Box3) {
    const [d, h, w] = box.size;
    this.shape = [d, h, w];
    const n = (d + 1) * (h + 1) * (w + 1);
    this.sums = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    const [energy, pairs, valid] = this.sums;
    const plane = h * w, W = w + 1, P = (h + 1) * (w + 1);
    // Plain loops (no closures per voxel): this runs over every coarse voxel of every pair.
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
    // Prefix sums along each axis in turn.
    for (const s of this.sums) {
      for (let z = 1; z <= d; z++)
        for (let y = 1; y <= h; y++) {
          const r = z * P + y * W;
          for (let x = 1; x <= w; x++) s[r + x] += s[r + x - 1] + s[r + x - W] - s[r + x - W - 1];
        }
      for (let z = 1; z <= d; z++) for (let i = 0; i < P; i++) s[z * P + i] += s[(z - 1) * P + i];
    }
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
    const pairs = sum(this.sums[1]);
    return { texture: pairs > 0 ? sum(this.sums[0]) / pairs : 0, valid: sum(this.sums[2]) / total };
  }
}

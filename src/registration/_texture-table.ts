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
    const ok = (o: number): boolean => (!mask || mask[o] === 1) && data[o] === data[o];
    const at = (z: number, y: number, x: number): number => ((z + 1) * (h + 1) + y + 1) * (w + 1) + x + 1;
    const steps: [number, (z: number, y: number, x: number) => boolean][] = [
      [1, (_z, _y, x) => x + 1 < w],
      [w, (_z, y) => y + 1 < h],
      [h * w, (z) => z + 1 < d],
    ];
    for (let z = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = (z * h + y) * w + x, t = at(z, y, x);
          if (!ok(o)) continue;
          this.sums[2][t] = 1;
          for (const [step, inside] of steps) {
            if (!inside(z, y, x) || !ok(o + step)) continue;
            this.sums[0][t] += (data[o + step] - data[o]) ** 2;
            this.sums[1][t] += 1;
          }
        }
    // Prefix sums along each axis in turn.
    for (const s of this.sums) {
      for (let z = 1; z <= d; z++) for (let y = 1; y <= h; y++) for (let x = 1; x <= w; x++) s[(z * (h + 1) + y) * (w + 1) + x] += s[(z * (h + 1) + y) * (w + 1) + x - 1];
      for (let z = 1; z <= d; z++) for (let y = 1; y <= h; y++) for (let x = 1; x <= w; x++) s[(z * (h + 1) + y) * (w + 1) + x] += s[(z * (h + 1) + y - 1) * (w + 1) + x];
      for (let z = 1; z <= d; z++) for (let y = 1; y <= h; y++) for (let x = 1; x <= w; x++) s[(z * (h + 1) + y) * (w + 1) + x] += s[((z - 1) * (h + 1) + y) * (w + 1) + x];
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

/**
 * Where a pair is refined at full resolution: up to `count` windows of at most `size` voxels per
 * axis inside the overlap at the coarse shift, placed where both tiles have texture (the gradient
 * energy of their coarse levels) and image (at least `minValid` of the window valid in both, so a
 * tomogram's windows lie inside both fields of view), overlapping each other by at most a quarter.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';
import { TextureTable } from './_texture-table.js';

export interface CoarseRegion {
  data: TileTypedArray | Float32Array;
  /** 1 = valid; null = all valid. */
  mask: Uint8Array | null;
  /** The region's box in level coordinates. */
  box: Box3;
}

export interface PlaceWindowsInput {
  a: CoarseRegion;
  b: CoarseRegion;
  /** Level-0 voxels per level voxel. */
  factors: Vec3;
  /** Coarse estimate of position(b) − position(a), level-0 voxels (a's voxel x sits on b's x − shift). */
  shift: Vec3;
  shapeA: Vec3;
  shapeB: Vec3;
  size: number;
  count: number;
  /** @default 0.9 */
  minValid?: number;
  /** Windows scoring below this fraction of the best are left out. @default 0.2 */
  minTexture?: number;
}

export interface PlacedWindow {
  /** Window in tile a's level-0 coordinates. */
  box: Box3;
  /** Texture score (mean squared coarse gradient, the smaller of the two tiles). */
  texture: number;
}

function toLevel(box: Box3, f: Vec3): Box3 {
  const start = [0, 1, 2].map((ax) => Math.floor(box.start[ax] / f[ax])) as Vec3;
  const end = [0, 1, 2].map((ax) => Math.ceil((box.start[ax] + box.size[ax]) / f[ax])) as Vec3;
  return { start, size: [0, 1, 2].map((ax) => end[ax] - start[ax]) as Vec3 };
}

/** Start positions of a window of `w` along [lo, hi): every half window, and flush with the end. */
function starts(lo: number, hi: number, w: number): number[] {
  const out: number[] = [];
  const step = Math.max(1, Math.floor(w / 2));
  for (let s = lo; s + w <= hi; s += step) out.push(s);
  if (out.length === 0 || out[out.length - 1] !== hi - w) out.push(hi - w);
  return out;
}

function intersection(a: Box3, b: Box3): number {
  let v = 1;
  for (let ax = 0; ax < 3; ax++) v *= Math.max(0, Math.min(a.start[ax] + a.size[ax], b.start[ax] + b.size[ax]) - Math.max(a.start[ax], b.start[ax]));
  return v;
}

export function placeWindows(input: PlaceWindowsInput): PlacedWindow[] {
  const { factors: f, shapeA, shapeB, size, count, minValid = 0.9, minTexture = 0.2 } = input;
  const shift = input.shift.map(Math.round) as Vec3;
  // The overlap at the coarse shift, in a's coordinates, within what the coarse regions cover.
  const lo: Vec3 = [0, 0, 0], hi: Vec3 = [0, 0, 0], w: Vec3 = [0, 0, 0];
  for (let ax = 0; ax < 3; ax++) {
    const coverA = [input.a.box.start[ax] * f[ax], (input.a.box.start[ax] + input.a.box.size[ax]) * f[ax]];
    const coverB = [(input.b.box.start[ax] * f[ax]) + shift[ax], (input.b.box.start[ax] + input.b.box.size[ax]) * f[ax] + shift[ax]];
    lo[ax] = Math.max(0, shift[ax], coverA[0], coverB[0]);
    hi[ax] = Math.min(shapeA[ax], shapeB[ax] + shift[ax], coverA[1], coverB[1]);
    if (hi[ax] <= lo[ax]) return [];
    w[ax] = Math.min(size, hi[ax] - lo[ax]);
  }
  const tableA = new TextureTable(input.a.data, input.a.mask, input.a.box);
  const tableB = new TextureTable(input.b.data, input.b.mask, input.b.box);
  const scored: PlacedWindow[] = [];
  for (const z of starts(lo[0], hi[0], w[0]))
    for (const y of starts(lo[1], hi[1], w[1]))
      for (const x of starts(lo[2], hi[2], w[2])) {
        const box: Box3 = { start: [z, y, x], size: [...w] };
        const inB: Box3 = { start: [z - shift[0], y - shift[1], x - shift[2]], size: [...w] };
        const sa = tableA.score(toLevel(box, f)), sb = tableB.score(toLevel(inB, f));
        if (Math.min(sa.valid, sb.valid) < minValid) continue;
        scored.push({ box, texture: Math.min(sa.texture, sb.texture) });
      }
  scored.sort((p, q) => q.texture - p.texture);
  const best = scored[0]?.texture ?? 0;
  const chosen: PlacedWindow[] = [];
  const volume = w[0] * w[1] * w[2];
  for (const c of scored) {
    if (chosen.length >= count || !(c.texture > 0) || c.texture < minTexture * best) break;
    if (chosen.some((o) => intersection(o.box, c.box) > volume / 4)) continue;
    chosen.push(c);
  }
  return chosen;
}

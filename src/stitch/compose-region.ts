import type { Vec3 } from '../geometry/box.js';
import { blendWeight, borderDistance, MIN_WEIGHT, type BlendMode } from './blend-weight.js';

/** One tile's voxels needed for a region, as the compositor sees them. */
export interface TileBlock {
  /** Global position of the tile's voxel (0, 0, 0); may be fractional. */
  position: Vec3;
  /** Shape of the whole tile (for border distances and the field of view). */
  tileShape: Vec3;
  /** Tile-local start of `data` and its shape. */
  lo: Vec3;
  size: Vec3;
  /** Tile voxels as float, C-order; NaN where the voxel is invalid (fill value, outside the field of view, NaN). */
  data: Float32Array;
  /** Cylindrical field of view: weights also fall towards the circle inscribed in (y, x). */
  cylinder: boolean;
  /** Intensity correction: value = gain * raw + offset. */
  gain: number;
  offset: number;
}

export type Interpolation = 'nearest' | 'linear';

export interface ComposeOptions {
  blend: BlendMode;
  blendWidth: number;
  interpolation: Interpolation;
  fillValue: number;
}

export interface ComposedRegion {
  /** Voxels no tile covers hold the fill value. */
  data: Float32Array;
  shape: Vec3;
}

/** Per-axis sampling plan of one tile for one region: buffer indices, fractions and weights. */
interface AxisPlan {
  i0: Int32Array;
  i1: Int32Array;
  t: Float32Array;
  /** Tile-local coordinate of the sample (for the cylinder test). */
  c: Float64Array;
  w: Float32Array;
  /** First and last output index whose sample lies inside the tile (empty when last < first). */
  first: number;
  last: number;
}

function planAxis(start: number, n: number, pos: number, tileN: number, lo: number, opts: ComposeOptions): AxisPlan {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), t = new Float32Array(n), w = new Float32Array(n), c = new Float64Array(n);
  let first = n, last = -1;
  for (let k = 0; k < n; k++) {
    const l = start + k - pos;
    c[k] = l;
    let a: number, b: number, f: number;
    if (opts.interpolation === 'nearest') {
      a = Math.floor(l + 0.5);
      b = a;
      f = 0;
    } else {
      a = Math.floor(l);
      f = l - a;
      b = f > 0 ? a + 1 : a;
    }
    if (a < 0 || b >= tileN) {
      i0[k] = -1;
      continue;
    }
    i0[k] = a - lo;
    i1[k] = b - lo;
    t[k] = f;
    w[k] = tileN === 1 ? 1 : blendWeight(opts.blend, borderDistance(opts.interpolation === 'nearest' ? a : l, tileN), opts.blendWidth);
    if (k < first) first = k;
    last = k;
  }
  return { i0, i1, t, c, w, first, last };
}

/**
 * The common case of fusion (nearest sampling, a full field of view, weighted blending) without
 * the per-voxel branches of the general loop: one tile's samples added into the sums.
 */
function addNearestWeighted(tb: TileBlock, pz: AxisPlan, py: AxisPlan, px: AxisPlan, h: number, w: number, acc: Float64Array, wsum: Float64Array, covered: Uint8Array): void {
  const sy = tb.size[2], sz = tb.size[1] * tb.size[2];
  const buf = tb.data, gain = tb.gain, offset = tb.offset;
  const xi = px.i0, xw = px.w, x0 = px.first, x1 = px.last;
  for (let k = pz.first; k <= pz.last; k++) {
    if (pz.i0[k] < 0) continue;
    const zb = pz.i0[k] * sz, wz = pz.w[k];
    for (let j = py.first; j <= py.last; j++) {
      if (py.i0[j] < 0) continue;
      const row = zb + py.i0[j] * sy, wzy = wz * py.w[j];
      for (let i = x0, o = (k * h + j) * w + x0; i <= x1; i++, o++) {
        const v = buf[row + xi[i]];
        if (v !== v) continue; // NaN: invalid sample
        let wt = wzy * xw[i];
        if (wt < MIN_WEIGHT) wt = MIN_WEIGHT;
        acc[o] += wt * (gain * v + offset);
        wsum[o] += wt;
        covered[o] = 1;
      }
    }
  }
}

/** A tile's sampling plans for a region (empty when the tile does not reach it). */
interface TilePlan {
  tb: TileBlock;
  pz: AxisPlan;
  py: AxisPlan;
  px: AxisPlan;
}

/**
 * The common case of fusion (nearest sampling, weighted blending, a full field of view), row by
 * row: a row one tile covers (most rows: tiles overlap only at their borders) is written straight
 * into the output; only rows several tiles cover are summed, in a scratch row. The arithmetic is
 * the whole-region sums' own (each voxel's sum and weight in float64, in tile order, then their
 * quotient), so the result is the same to the bit; it spares the 17 bytes per voxel of sums, their
 * clearing and the final divide pass.
 */
function composeNearestRows(start: Vec3, size: Vec3, tiles: TileBlock[], opts: ComposeOptions, data: Float32Array): Float32Array {
  const [d, h, w] = size;
  const plans: TilePlan[] = [];
  for (const tb of tiles) {
    const pz = planAxis(start[0], d, tb.position[0], tb.tileShape[0], tb.lo[0], opts);
    const py = planAxis(start[1], h, tb.position[1], tb.tileShape[1], tb.lo[1], opts);
    const px = planAxis(start[2], w, tb.position[2], tb.tileShape[2], tb.lo[2], opts);
    if (pz.last >= pz.first && py.last >= py.first && px.last >= px.first) plans.push({ tb, pz, py, px });
  }
  const fill = opts.fillValue;
  const row = scratchSums(w);
  const covering: TilePlan[] = [];
  for (let k = 0; k < d; k++)
    for (let j = 0; j < h; j++) {
      const o0 = (k * h + j) * w;
      covering.length = 0;
      for (const p of plans) if (k >= p.pz.first && k <= p.pz.last && p.pz.i0[k] >= 0 && j >= p.py.first && j <= p.py.last && p.py.i0[j] >= 0) covering.push(p);
      if (covering.length === 0) data.fill(fill, o0, o0 + w);
      else if (covering.length === 1) writeRowOfOne(covering[0], k, j, data, o0, w, fill);
      else {
        row.acc.fill(0);
        row.wsum.fill(0);
        row.covered.fill(0);
        for (const p of covering) addRow(p, k, j, row.acc, row.wsum, row.covered);
        for (let i = 0; i < w; i++) data[o0 + i] = row.covered[i] ? row.acc[i] / row.wsum[i] : fill;
      }
    }
  return data;
}

/** One tile's samples of output row (k, j) added into the row sums (addNearestWeighted for one row). */
function addRow(p: TilePlan, k: number, j: number, acc: Float64Array, wsum: Float64Array, covered: Uint8Array): void {
  const { tb, pz, py, px } = p;
  const buf = tb.data, gain = tb.gain, offset = tb.offset;
  const base = pz.i0[k] * tb.size[1] * tb.size[2] + py.i0[j] * tb.size[2], wzy = pz.w[k] * py.w[j];
  const xi = px.i0, xw = px.w;
  for (let i = px.first; i <= px.last; i++) {
    const v = buf[base + xi[i]];
    if (v !== v) continue;
    let wt = wzy * xw[i];
    if (wt < MIN_WEIGHT) wt = MIN_WEIGHT;
    acc[i] += wt * (gain * v + offset);
    wsum[i] += wt;
    covered[i] = 1;
  }
}

/**
 * Output row (k, j) covered by one tile: each voxel is its sum over its weight, (w·x)/w. Without
 * intensity correction x is the float32 sample itself, and (w·x)/w, within a few float64 ulps of
 * x, rounds back to exactly x: the sample is copied.
 */
function writeRowOfOne(p: TilePlan, k: number, j: number, data: Float32Array, o0: number, w: number, fill: number): void {
  const { tb, pz, py, px } = p;
  const buf = tb.data, gain = tb.gain, offset = tb.offset;
  const base = pz.i0[k] * tb.size[1] * tb.size[2] + py.i0[j] * tb.size[2], wzy = pz.w[k] * py.w[j];
  const xi = px.i0, xw = px.w, x0 = px.first, x1 = px.last;
  if (x0 > 0) data.fill(fill, o0, o0 + x0);
  if (x1 < w - 1) data.fill(fill, o0 + x1 + 1, o0 + w);
  if (gain === 1 && offset === 0) {
    for (let i = x0; i <= x1; i++) {
      const v = buf[base + xi[i]];
      data[o0 + i] = v === v ? v : fill;
    }
    return;
  }
  for (let i = x0; i <= x1; i++) {
    const v = buf[base + xi[i]];
    if (v !== v) {
      data[o0 + i] = fill;
      continue;
    }
    let wt = wzy * xw[i];
    if (wt < MIN_WEIGHT) wt = MIN_WEIGHT;
    // Inside the blending border the weight is 1, and (1·x)/1 is x.
    data[o0 + i] = wt === 1 ? gain * v + offset : (wt * (gain * v + offset)) / wt;
  }
}

/** The range of tile-local voxels a region needs along one axis (nearest or linear), clipped to the tile. */
export function tileRangeForRegion(start: number, n: number, pos: number, tileN: number, interpolation: Interpolation): [number, number] | undefined {
  const l0 = start - pos, l1 = start + n - 1 - pos;
  const a = interpolation === 'nearest' ? Math.floor(l0 + 0.5) : Math.floor(l0);
  const b = interpolation === 'nearest' ? Math.floor(l1 + 0.5) : Math.ceil(l1);
  const lo = Math.max(0, a), hi = Math.min(tileN - 1, b);
  return hi < lo ? undefined : [lo, hi + 1];
}

/**
 * Composite a region of the global frame from tile blocks: each output voxel takes the valid
 * samples of the tiles covering it (nearest voxel, or trilinear when every neighbour with non-zero
 * weight is valid), corrects their intensity and blends them; voxels no tile covers get the fill
 * value. Tiles are taken in the given order (`first` keeps the earliest). `into`: an array of the
 * region's voxels to compose into (every voxel is written) instead of a fresh one.
 */
export function composeRegion(start: Vec3, size: Vec3, tiles: TileBlock[], opts: ComposeOptions, into?: Float32Array): ComposedRegion {
  const [d, h, w] = size;
  const n = d * h * w;
  if (into && into.length !== n) throw new RangeError(`composeRegion: the array given holds ${into.length} voxels, the region ${n}`);
  if (opts.interpolation === 'nearest' && (opts.blend === 'average' || opts.blend === 'linear' || opts.blend === 'cosine') && !tiles.some((t) => t.cylinder)) {
    return { data: composeNearestRows(start, size, tiles, opts, into ?? new Float32Array(n)), shape: [...size] };
  }
  const { acc, wsum, covered } = scratchSums(n);
  const isMax = opts.blend === 'max', isFirst = opts.blend === 'first';
  if (isMax) acc.fill(-Infinity);
  for (const tb of tiles) {
    const pz = planAxis(start[0], d, tb.position[0], tb.tileShape[0], tb.lo[0], opts);
    const py = planAxis(start[1], h, tb.position[1], tb.tileShape[1], tb.lo[1], opts);
    const px = planAxis(start[2], w, tb.position[2], tb.tileShape[2], tb.lo[2], opts);
    if (pz.last < pz.first || py.last < py.first || px.last < px.first) continue;
    const sy = tb.size[2], sz = tb.size[1] * tb.size[2];
    const buf = tb.data;
    const linear = opts.interpolation === 'linear';
    const th = tb.tileShape[1], tw = tb.tileShape[2];
    const cy = (th - 1) / 2, cx = (tw - 1) / 2, radius = Math.min(th, tw) / 2;
    if (!linear && !tb.cylinder && !isFirst && !isMax) {
      addNearestWeighted(tb, pz, py, px, h, w, acc, wsum, covered);
      continue;
    }
    for (let k = pz.first; k <= pz.last; k++) {
      if (pz.i0[k] < 0) continue;
      const z0 = pz.i0[k] * sz, z1 = pz.i1[k] * sz, tz = pz.t[k], wz = pz.w[k];
      for (let j = py.first; j <= py.last; j++) {
        if (py.i0[j] < 0) continue;
        const y0 = py.i0[j] * sy, y1 = py.i1[j] * sy, ty = py.t[j], wzy = wz * py.w[j];
        const dy = (linear ? py.c[j] : py.i0[j] + tb.lo[1]) - cy;
        let o = (k * h + j) * w + px.first;
        for (let i = px.first; i <= px.last; i++, o++) {
          const xi0 = px.i0[i];
          if (xi0 < 0) continue;
          let v: number;
          if (!linear) {
            v = buf[z0 + y0 + xi0];
          } else {
            const xi1 = px.i1[i], tx = px.t[i];
            // Neighbours with zero weight are skipped so that an invalid (NaN) one does not spoil the sample.
            let vy0 = buf[z0 + y0 + xi0];
            if (tx > 0) vy0 += (buf[z0 + y0 + xi1] - vy0) * tx;
            if (ty > 0) {
              let vy1 = buf[z0 + y1 + xi0];
              if (tx > 0) vy1 += (buf[z0 + y1 + xi1] - vy1) * tx;
              vy0 += (vy1 - vy0) * ty;
            }
            if (tz > 0) {
              let wy0 = buf[z1 + y0 + xi0];
              if (tx > 0) wy0 += (buf[z1 + y0 + xi1] - wy0) * tx;
              if (ty > 0) {
                let wy1 = buf[z1 + y1 + xi0];
                if (tx > 0) wy1 += (buf[z1 + y1 + xi1] - wy1) * tx;
                wy0 += (wy1 - wy0) * ty;
              }
              vy0 += (wy0 - vy0) * tz;
            }
            v = vy0;
          }
          if (v !== v) continue; // NaN: invalid sample
          let wt = wzy * px.w[i];
          if (tb.cylinder) {
            const dx = (linear ? px.c[i] : xi0 + tb.lo[2]) - cx;
            const r = Math.sqrt(dy * dy + dx * dx);
            wt *= blendWeight(opts.blend, radius - r, opts.blendWidth);
          }
          v = tb.gain * v + tb.offset;
          if (isFirst) {
            if (covered[o]) continue;
            acc[o] = v;
            wsum[o] = 1;
          } else if (isMax) {
            if (v > acc[o]) acc[o] = v;
            wsum[o] = 1;
          } else {
            if (wt < MIN_WEIGHT) wt = MIN_WEIGHT;
            acc[o] += wt * v;
            wsum[o] += wt;
          }
          covered[o] = 1;
        }
      }
    }
  }
  const data = into ?? new Float32Array(n);
  const fill = opts.fillValue;
  if (isFirst || isMax) for (let o = 0; o < n; o++) data[o] = covered[o] ? acc[o] : fill;
  else for (let o = 0; o < n; o++) data[o] = covered[o] ? acc[o] / wsum[o] : fill;
  return { data, shape: [...size] };
}

/**
 * Sums reused from one call to the next (composeRegion is synchronous, so no two calls share
 * them): allocating 17 bytes per voxel afresh for every region made fusion spend as much time
 * collecting garbage as compositing. Grown on demand, so bounded by the largest region composed
 * (a view piece, at most MAX_PIECE_VOXELS).
 */
let scratch = { acc: new Float64Array(0), wsum: new Float64Array(0), covered: new Uint8Array(0) };
function scratchSums(n: number): { acc: Float64Array; wsum: Float64Array; covered: Uint8Array } {
  if (scratch.acc.length < n) scratch = { acc: new Float64Array(n), wsum: new Float64Array(n), covered: new Uint8Array(n) };
  const acc = scratch.acc.subarray(0, n), wsum = scratch.wsum.subarray(0, n), covered = scratch.covered.subarray(0, n);
  acc.fill(0);
  wsum.fill(0);
  covered.fill(0);
  return { acc, wsum, covered };
}

import type { Campaign, TileInfo } from '../campaign/open-campaign.js';
import type { Box3, Vec3 } from '../geometry/box.js';
import type { TileArray } from '../zarrio/tile-array.js';
import { allocTyped, isTileDtype, type TileDtype, type TileTypedArray } from '../zarrio/dtypes.js';
import { StitchgraphError } from '../errors.js';
import { LruCache } from '../cache/lru-cache.js';
import { composeRegion, tileRangeForRegion, type Interpolation, type TileBlock } from './compose-region.js';
import { downsampleMean } from './downsample-mean.js';
import { BLEND_MODES, type BlendMode } from './blend-weight.js';
import { intensityModel, type IntensityModel, type OverlapSamples } from './intensity-model.js';
import { intensitySampleBox } from './intensity-sample-box.js';

/** Options of one view. Defaults come from the campaign's `fusion:` section (see resolveViewOptions). */
export interface ViewOptions {
  /** @default fusion.blend ('cosine') */
  blend?: BlendMode;
  /** Voxels over which linear/cosine weights fall towards a tile's border. @default fusion.blend_width (16) */
  blendWidth?: number;
  /** Pyramid level: 0 is full resolution, each level halves every axis longer than one voxel. @default 0 */
  level?: number;
  /** 'float32', 'tile' (the tiles' dtype, rounded and clamped) or a dtype. @default 'float32' */
  dtype?: 'tile' | TileDtype;
  /** Sampling at sub-voxel positions. @default 'nearest' */
  interpolation?: Interpolation;
  /** Value of voxels no tile covers. @default fusion.fill_value (0) */
  fillValue?: number;
  /** Apply the per-tile gain/offset estimated from the overlaps (only when it helps). @default fusion.intensity_correction (true) */
  intensityCorrection?: boolean;
}

export interface ResolvedViewOptions {
  blend: BlendMode;
  blendWidth: number;
  level: number;
  dtype: TileDtype;
  interpolation: Interpolation;
  fillValue: number;
  intensityCorrection: boolean;
}

export interface View<T extends TileTypedArray = TileTypedArray> {
  data: T;
  /** (d, h, w) */
  shape: Vec3;
  dtype: TileDtype;
}

export interface StitchedVolumeOptions {
  /** Bytes of decoded chunks kept between views. @default fusion.cache_mb (512) MiB */
  cacheBytes?: number;
  /** Level-0 voxels computed at once; bigger views are done in pieces. @default MAX_PIECE_VOXELS (4 Mi) */
  maxPieceVoxels?: number;
  /** A precomputed intensity model (e.g. sent to fusion workers), instead of estimating it. */
  intensity?: { gain: number[]; offset: number[]; helps: boolean };
}

/** A tile at its stitched position. */
export interface PlacedTile {
  info: TileInfo;
  index: number;
  position: Vec3;
}

interface CachedChunk {
  data: TileTypedArray;
  stride: Vec3;
  byteLength: number;
}

export const DEFAULT_CACHE_BYTES = 512 * 2 ** 20;
/** Level-0 voxels one piece of a view computes at once (about 20 bytes each while composing). */
export const MAX_PIECE_VOXELS = 4 * 2 ** 20;

/**
 * The stitched volume of a campaign: tiles at their positions, composed on demand. Nothing is
 * written; views read only the chunks they need, through a bounded cache shared by all views.
 */
export class StitchedVolume {
  /** Level-0 extent in the global frame: [origin, origin + shape). */
  readonly origin: Vec3;
  readonly shape: Vec3;
  readonly cache: LruCache<CachedChunk>;
  private intensityPromise: Promise<IntensityModel> | undefined;
  private readonly maxPieceVoxels: number;

  constructor(
    readonly campaign: Campaign,
    readonly tiles: PlacedTile[],
    opts: StitchedVolumeOptions = {},
  ) {
    if (tiles.length === 0) throw new StitchgraphError('InputError', `Cannot build the stitched volume of ${campaign.file}: it has no tiles`);
    this.cache = new LruCache<CachedChunk>(opts.cacheBytes ?? (campaign.config.fusion.cache_mb === undefined ? DEFAULT_CACHE_BYTES : campaign.config.fusion.cache_mb * 2 ** 20), (c) => c.byteLength);
    const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
    for (const t of tiles)
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a], Math.floor(t.position[a]));
        hi[a] = Math.max(hi[a], Math.ceil(t.position[a] + t.info.shape[a]));
      }
    this.maxPieceVoxels = opts.maxPieceVoxels ?? MAX_PIECE_VOXELS;
    this.origin = lo;
    this.shape = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
    if (opts.intensity) {
      const m = opts.intensity;
      this.intensityPromise = Promise.resolve({ gain: Float64Array.from(m.gain), offset: Float64Array.from(m.offset), helps: m.helps, rmsBefore: NaN, rmsAfter: NaN, reason: 'precomputed' });
    }
  }

  /** The tiles' common dtype (the widest float when they differ). */
  get tileDtype(): TileDtype {
    const set = new Set(this.tiles.map((t) => t.info.dtype));
    return set.size === 1 ? this.tiles[0].info.dtype : 'float32';
  }

  /** Per-axis factor from level `level - 1` to `level`: 2, or 1 along an axis of one voxel (2-D). */
  levelStep(level: number): Vec3 {
    return level === 0 ? [1, 1, 1] : (this.shape.map((s) => (s > 1 ? 2 : 1)) as Vec3);
  }

  /** Extent [lo, hi) of a pyramid level in that level's global frame (voxel q covers level-0 voxels [q·f, (q+1)·f)). */
  levelExtent(level: number): { lo: Vec3; hi: Vec3; shape: Vec3 } {
    let lo: Vec3 = [...this.origin], hi: Vec3 = [this.origin[0] + this.shape[0], this.origin[1] + this.shape[1], this.origin[2] + this.shape[2]];
    for (let l = 1; l <= level; l++) {
      const f = this.levelStep(l);
      lo = lo.map((v, a) => Math.floor(v / f[a])) as Vec3;
      hi = hi.map((v, a) => Math.ceil(v / f[a])) as Vec3;
    }
    return { lo, hi, shape: [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]] };
  }

  /** Resolve view options against the campaign's fusion defaults (the one place defaults live). */
  resolveViewOptions(opts: ViewOptions = {}): ResolvedViewOptions {
    const f = this.campaign.config.fusion;
    const blend = opts.blend ?? f.blend;
    if (!BLEND_MODES.includes(blend)) throw new StitchgraphError('InputError', `Cannot make a view: blend "${String(blend)}" is not one of ${BLEND_MODES.join(', ')}`);
    const level = opts.level ?? 0;
    if (!Number.isInteger(level) || level < 0 || level > 20) throw new StitchgraphError('InputError', `Cannot make a view: level ${level} must be an integer from 0 to 20`);
    const interpolation = opts.interpolation ?? 'nearest';
    if (interpolation !== 'nearest' && interpolation !== 'linear') throw new StitchgraphError('InputError', `Cannot make a view: interpolation "${String(interpolation)}" must be nearest or linear`);
    const d = opts.dtype ?? 'float32';
    const dtype = d === 'tile' ? this.tileDtype : d;
    if (!isTileDtype(dtype)) throw new StitchgraphError('InputError', `Cannot make a view: dtype "${String(d)}" must be tile, uint8, uint16, int16, uint32, int32, float32 or float64`);
    const blendWidth = opts.blendWidth ?? f.blend_width;
    if (!(blendWidth >= 0)) throw new StitchgraphError('InputError', `Cannot make a view: blendWidth ${blendWidth} must be ≥ 0`);
    return { blend, blendWidth, level, dtype, interpolation, fillValue: opts.fillValue ?? f.fill_value, intensityCorrection: opts.intensityCorrection ?? f.intensity_correction };
  }

  /**
   * Compose the region [position, position + size) of pyramid level `opts.level` (global frame of
   * that level). Voxels covered by no tile, including those outside the volume, get the fill value.
   */
  async getView(position: Vec3, size: Vec3, opts: ViewOptions = {}): Promise<View> {
    for (let a = 0; a < 3; a++) {
      if (!Number.isInteger(position[a]) || !Number.isInteger(size[a]) || size[a] < 0) {
        throw new StitchgraphError('InputError', `Cannot make a view at [${position}] of size [${size}]: position must be integers and size non-negative integers (z, y, x)`);
      }
    }
    const o = this.resolveViewOptions(opts);
    const data = await this.viewFloat(o.level, position, size, o);
    return { data: convertDtype(data, o.dtype), shape: [...size], dtype: o.dtype };
  }

  /**
   * Float view at a level: level 0 composed from the tiles, higher levels the mean of the level
   * below. Big regions are computed piece by piece (along their longest axis), so that working
   * memory stays near `maxPieceVoxels` level-0 voxels besides the result, at any level.
   */
  async viewFloat(level: number, position: Vec3, size: Vec3, o: ResolvedViewOptions): Promise<Float32Array> {
    const f = this.levelStep(level);
    const cost = size[0] * f[0] * size[1] * f[1] * size[2] * f[2];
    const axis = size.indexOf(Math.max(...size));
    if (cost > this.maxPieceVoxels && size[axis] > 1) {
      const pieces = Math.min(size[axis], Math.ceil(cost / this.maxPieceVoxels));
      const len = Math.ceil(size[axis] / pieces);
      const out = new Float32Array(size[0] * size[1] * size[2]);
      for (let s0 = 0; s0 < size[axis]; s0 += len) {
        const pPos = [...position] as Vec3, pSize = [...size] as Vec3;
        pPos[axis] += s0;
        pSize[axis] = Math.min(len, size[axis] - s0);
        const part = await this.viewFloat(level, pPos, pSize, o);
        // Copy the piece in: rows of the piece are contiguous runs of the output.
        const [, ph, pw] = pSize;
        for (let k = 0, src = 0; k < pSize[0]; k++)
          for (let j = 0; j < ph; j++, src += pw) {
            const z = k + (axis === 0 ? s0 : 0), y = j + (axis === 1 ? s0 : 0), x = axis === 2 ? s0 : 0;
            out.set(part.subarray(src, src + pw), (z * size[1] + y) * size[2] + x);
          }
      }
      return out;
    }
    if (level === 0) return this.compose(position, size, o);
    const childStart = position.map((p, a) => p * f[a]) as Vec3;
    const childSize = size.map((s, a) => s * f[a]) as Vec3;
    const child = await this.viewFloat(level - 1, childStart, childSize, o);
    const ext = this.levelExtent(level - 1);
    return downsampleMean(child, childStart, childSize, f, ext.lo, ext.hi, o.fillValue).data;
  }

  private async compose(position: Vec3, size: Vec3, o: ResolvedViewOptions): Promise<Float32Array> {
    const n = size[0] * size[1] * size[2];
    if (n === 0) return new Float32Array(0);
    const model = o.intensityCorrection ? await this.intensity() : undefined;
    const useModel = model?.helps === true;
    const blocks = await Promise.all(
      this.tiles.map(async (t) => {
        const box = this.tileBoxFor(t, position, size, o.interpolation);
        if (!box) return undefined;
        const data = await this.readTileBlock(t, box);
        const block: TileBlock = {
          position: t.position,
          tileShape: t.info.shape,
          lo: box.start,
          size: box.size,
          data,
          cylinder: t.info.fieldOfView === 'cylinder',
          gain: useModel ? model.gain[t.index] : 1,
          offset: useModel ? model.offset[t.index] : 0,
        };
        return block;
      }),
    );
    return composeRegion(position, size, blocks.filter((b): b is TileBlock => b !== undefined), o).data;
  }

  /** The tile-local box a region needs from a tile, or undefined when they do not meet. */
  tileBoxFor(t: PlacedTile, position: Vec3, size: Vec3, interpolation: Interpolation): Box3 | undefined {
    const start: Vec3 = [0, 0, 0], sz: Vec3 = [0, 0, 0];
    for (let a = 0; a < 3; a++) {
      const r = tileRangeForRegion(position[a], size[a], t.position[a], t.info.shape[a], interpolation);
      if (!r) return undefined;
      start[a] = r[0];
      sz[a] = r[1] - r[0];
    }
    return { start, size: sz };
  }

  /** A box of a tile as float, NaN where the voxel carries no image (fill value, outside the field of view, NaN). */
  async readTileBlock(t: PlacedTile, box: Box3): Promise<Float32Array> {
    const arr = await this.campaign.openTile(t.info.id);
    const out = new Float32Array(box.size[0] * box.size[1] * box.size[2]);
    const ch = arr.chunks;
    const c0 = box.start.map((s, a) => Math.floor(s / ch[a])) as Vec3;
    const c1 = box.start.map((s, a) => Math.floor((s + box.size[a] - 1) / ch[a])) as Vec3;
    const jobs: Promise<void>[] = [];
    for (let cz = c0[0]; cz <= c1[0]; cz++)
      for (let cy = c0[1]; cy <= c1[1]; cy++)
        for (let cx = c0[2]; cx <= c1[2]; cx++) {
          const cc: Vec3 = [cz, cy, cx];
          jobs.push(this.chunk(t, arr, cc).then((chunk) => copyChunk(chunk, cc, ch, box, out)));
        }
    await Promise.all(jobs);
    markInvalid(out, box, t.info);
    return out;
  }

  private chunk(t: PlacedTile, arr: TileArray, cc: Vec3): Promise<CachedChunk> {
    const flat = arr.array.shape.length === 2;
    return this.cache.get(`${t.info.id}/${cc.join('.')}`, async () => {
      try {
        const c = await arr.array.getChunk(flat ? [cc[1], cc[2]] : cc);
        const s = c.stride;
        const stride: Vec3 = flat ? [0, s[0], s[1]] : [s[0], s[1], s[2]];
        const data = c.data as TileTypedArray;
        return { data, stride, byteLength: data.byteLength };
      } catch (err) {
        throw new StitchgraphError('ChunkDecodeError', `Cannot read chunk [${cc}] of tile ${t.info.id} (${arr.path}): ${(err as Error).message}`, { cause: err, details: { tile: t.info.id, chunk: cc } });
      }
    });
  }

  /** The intensity model (estimated once from the overlaps, then shared by every view). */
  intensity(): Promise<IntensityModel> {
    this.intensityPromise ??= this.estimateIntensity().catch((err: unknown) => {
      this.intensityPromise = undefined;
      throw err;
    });
    return this.intensityPromise;
  }

  /** Overlapping tile pairs (by their boxes at the stitched positions). */
  overlappingPairs(): [PlacedTile, PlacedTile, Box3][] {
    const out: [PlacedTile, PlacedTile, Box3][] = [];
    for (let i = 0; i < this.tiles.length; i++)
      for (let j = i + 1; j < this.tiles.length; j++) {
        const a = this.tiles[i], b = this.tiles[j];
        const start: Vec3 = [0, 0, 0], size: Vec3 = [0, 0, 0];
        let ok = true;
        for (let ax = 0; ax < 3 && ok; ax++) {
          const s = Math.ceil(Math.max(a.position[ax], b.position[ax]));
          const e = Math.floor(Math.min(a.position[ax] + a.info.shape[ax], b.position[ax] + b.info.shape[ax]));
          if (e <= s) ok = false;
          start[ax] = s;
          size[ax] = e - s;
        }
        if (ok) out.push([a, b, { start, size }]);
      }
    return out;
  }

  private async estimateIntensity(): Promise<IntensityModel> {
    const samples: OverlapSamples[] = [];
    // Both tiles sampled at the same global points (trilinear), so that sub-voxel offsets between
    // them do not read as a difference in contrast.
    const single = { blend: 'first' as const, blendWidth: 0, interpolation: 'linear' as const, fillValue: NaN };
    for (const [a, b, box] of this.overlappingPairs()) {
      const { start, size } = intensitySampleBox(box);
      const sample = async (t: PlacedTile) => {
        const tb = this.tileBoxFor(t, start, size, 'linear');
        if (!tb) return undefined;
        const data = await this.readTileBlock(t, tb);
        const block: TileBlock = { position: t.position, tileShape: t.info.shape, lo: tb.start, size: tb.size, data, cylinder: false, gain: 1, offset: 0 };
        return composeRegion(start, size, [block], single).data;
      };
      const [va, vb] = await Promise.all([sample(a), sample(b)]);
      if (!va || !vb) continue;
      const x: number[] = [], y: number[] = [];
      for (let o = 0; o < va.length; o++) {
        if (va[o] !== va[o] || vb[o] !== vb[o]) continue;
        x.push(va[o]);
        y.push(vb[o]);
      }
      if (x.length >= 64) samples.push({ a: a.index, b: b.index, x: Float32Array.from(x), y: Float32Array.from(y) });
    }
    return intensityModel(this.tiles.length, samples);
  }
}

function copyChunk(chunk: CachedChunk, cc: Vec3, ch: Vec3, box: Box3, out: Float32Array): void {
  const lo: Vec3 = [0, 0, 0], hi: Vec3 = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.max(box.start[a], cc[a] * ch[a]);
    hi[a] = Math.min(box.start[a] + box.size[a], (cc[a] + 1) * ch[a]);
  }
  const [, bh, bw] = box.size;
  const [s0, s1, s2] = chunk.stride;
  const src = chunk.data;
  for (let z = lo[0]; z < hi[0]; z++)
    for (let y = lo[1]; y < hi[1]; y++) {
      let si = (z - cc[0] * ch[0]) * s0 + (y - cc[1] * ch[1]) * s1 + (lo[2] - cc[2] * ch[2]) * s2;
      let o = ((z - box.start[0]) * bh + (y - box.start[1])) * bw + (lo[2] - box.start[2]);
      for (let x = lo[2]; x < hi[2]; x++, o++, si += s2) out[o] = src[si];
    }
}

/** NaN where a tile voxel carries no image: equal to the fill value, or outside the circle inscribed in (y, x). */
function markInvalid(out: Float32Array, box: Box3, info: TileInfo): void {
  const fv = info.fillValue;
  if (fv !== undefined) for (let o = 0; o < out.length; o++) if (out[o] === fv) out[o] = NaN;
  if (info.fieldOfView !== 'cylinder') return;
  const [, h, w] = info.shape;
  const cy = (h - 1) / 2, cx = (w - 1) / 2, r2 = (Math.min(h, w) / 2) ** 2;
  const [bd, bh, bw] = box.size;
  for (let j = 0; j < bh; j++)
    for (let i = 0; i < bw; i++) {
      const dy = box.start[1] + j - cy, dx = box.start[2] + i - cx;
      if (dy * dy + dx * dx <= r2) continue;
      for (let k = 0; k < bd; k++) out[(k * bh + j) * bw + i] = NaN;
    }
}

const RANGE: Partial<Record<TileDtype, [number, number]>> = {
  uint8: [0, 255],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

/** Float voxels in another dtype: integers rounded to nearest and clamped to the type's range. */
export function convertDtype(data: Float32Array, dtype: TileDtype): TileTypedArray {
  if (dtype === 'float32') return data;
  const out = allocTyped(dtype, data.length);
  const r = RANGE[dtype];
  if (!r) {
    out.set(data);
    return out;
  }
  const [lo, hi] = r;
  if (lo === 0 && hi <= 65535) {
    // The hot path of fusion to uint8/uint16: (v + 0.5) | 0 rounds like Math.round for v ≥ 0; NaN → 0.
    for (let o = 0; o < data.length; o++) {
      const v = data[o];
      out[o] = v > 0 ? (v < hi ? (v + 0.5) | 0 : hi) : 0;
    }
    return out;
  }
  for (let o = 0; o < data.length; o++) {
    const v = data[o];
    out[o] = v !== v ? 0 : v <= lo ? lo : v >= hi ? hi : Math.round(v);
  }
  return out;
}

import type { Campaign, TileInfo } from '../campaign/open-campaign.js';
import { intersectBoxes, type Box3, type Vec3 } from '../geometry/box.js';
import { allocTyped, isTileDtype, type TileDtype, type TileTypedArray } from '../zarrio/dtypes.js';
import { ChunkCache } from '../zarrio/chunk-cache.js';
import type { TileArray } from '../zarrio/tile-array.js';
import { StitchgraphError } from '../errors.js';
import type { BlockBuffers, TileBlockBuffers } from './tile-block-buffers.js';
import { composeRegion, tileRangeForRegion, type Interpolation, type TileBlock } from './compose-region.js';
import { downsampleMean } from './downsample-mean.js';
import { BLEND_MODES, type BlendMode } from './blend-weight.js';
import { intensityModelOfSummaries, type IntensityModel } from './intensity-model.js';
import { fitPairQuantiles, type PairQuantiles } from './_overlap-quantiles.js';
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
  /**
   * The pyramid levels of a tile (levels[0] the tile itself), e.g. from src/pyramid's
   * openTilePyramid: a view of level k composes from the tiles' level k when every tile has one
   * with the factors of that level, so its cost follows its own voxels. @default none (level k is
   * the mean of level k-1)
   */
  tileLevels?: (tileId: string) => Promise<TileLevel[]>;
}

/** One pyramid level of a tile. Level-k voxel j is the mean of level-0 voxels [j·f, (j+1)·f) (tile-local). */
export interface TileLevel {
  /** Level-0 voxels per level voxel (z, y, x). */
  factors: Vec3;
  shape: Vec3;
  array: TileArray;
}

/** How a view reads its tiles. */
export interface ReadMode {
  /**
   * Read past the chunk cache (a streaming read: fusion reads each tile voxel about once, in big
   * boxes, which the decode pool assembles fastest without caching).
   */
  uncached?: boolean;
}

/** A tile at its stitched position. */
export interface PlacedTile {
  info: TileInfo;
  index: number;
  position: Vec3;
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
  /** Decoded tile chunks shared by every view of this volume (tiles read through TileArray with it). */
  readonly cache: ChunkCache;
  private intensityPromise: Promise<IntensityModel> | undefined;
  /** Level-0 voxels composed at once: bigger views are composed piece by piece (fusion cuts its jobs the same way). */
  readonly maxPieceVoxels: number;
  private readonly tileLevels: ((tileId: string) => Promise<TileLevel[]>) | undefined;
  /** Per level: each tile's level of that level's factors, or null when some tile has none. */
  private readonly levelSources = new Map<number, Promise<{ sources: TileLevel[]; factor: Vec3 } | null>>();

  constructor(
    readonly campaign: Campaign,
    readonly tiles: PlacedTile[],
    opts: StitchedVolumeOptions = {},
  ) {
    if (tiles.length === 0) throw new StitchgraphError('InputError', `Cannot build the stitched volume of ${campaign.file}: it has no tiles`);
    this.cache = new ChunkCache({ maxBytes: opts.cacheBytes ?? (campaign.config.fusion.cache_mb === undefined ? DEFAULT_CACHE_BYTES : campaign.config.fusion.cache_mb * 2 ** 20) });
    const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
    for (const t of tiles)
      for (let a = 0; a < 3; a++) {
        lo[a] = Math.min(lo[a], Math.floor(t.position[a]));
        hi[a] = Math.max(hi[a], Math.ceil(t.position[a] + t.info.shape[a]));
      }
    this.maxPieceVoxels = opts.maxPieceVoxels ?? MAX_PIECE_VOXELS;
    this.tileLevels = opts.tileLevels;
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

  /** Level-0 voxels per voxel of `level` along (z, y, x): the product of the steps up to it. */
  levelFactor(level: number): Vec3 {
    const f: Vec3 = [1, 1, 1];
    for (let l = 1; l <= level; l++) this.levelStep(l).forEach((s, a) => (f[a] *= s));
    return f;
  }

  /**
   * The tiles' own pyramid levels a view of `level` reads (in tile order): those of the coarsest
   * factors f that every tile has and that divide the level's factors F per axis (the view is then
   * the mean of F/f blocks of the composition at f, as tile pyramids often keep z finer than
   * y and x), or null when no tile level coarser than level 0 fits: the view then takes the mean
   * of the level below.
   */
  tileLevelsFor(level: number): Promise<{ sources: TileLevel[]; factor: Vec3 } | null> {
    if (level === 0 || !this.tileLevels) return Promise.resolve(null);
    let p = this.levelSources.get(level);
    if (!p) {
      const F = this.levelFactor(level);
      const get = this.tileLevels;
      p = Promise.all(this.tiles.map((t) => get(t.info.id))).then((all) => {
        const fits = (f: Vec3) => f.every((v, a) => F[a] % v === 0) && f.some((v) => v > 1);
        const key = (f: Vec3) => f.join(',');
        const candidates = all[0].filter((l) => fits(l.factors)).sort((x, y) => y.factors[0] * y.factors[1] * y.factors[2] - x.factors[0] * x.factors[1] * x.factors[2]);
        for (const c of candidates) {
          const sources = all.map((ls) => ls.find((l) => key(l.factors) === key(c.factors)));
          if (sources.every((l) => l !== undefined)) return { sources: sources as TileLevel[], factor: [...c.factors] as Vec3 };
        }
        return null;
      });
      p.catch(() => this.levelSources.delete(level));
      this.levelSources.set(level, p);
    }
    return p;
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
  async viewFloat(level: number, position: Vec3, size: Vec3, o: ResolvedViewOptions, read: ReadMode = {}): Promise<Float32Array> {
    const f = this.levelStep(level);
    const tl = await this.tileLevelsFor(level);
    // Voxels composed per view voxel: from the tiles' level (F/f per axis), else from level 0.
    const per = tl ? (this.levelFactor(level).map((F, a) => F / tl.factor[a]) as Vec3) : this.levelFactor(level);
    const cost = size[0] * per[0] * size[1] * per[1] * size[2] * per[2];
    const axis = size.indexOf(Math.max(...size));
    if (cost > this.maxPieceVoxels && size[axis] > 1) {
      const pieces = Math.min(size[axis], Math.ceil(cost / this.maxPieceVoxels));
      const len = Math.ceil(size[axis] / pieces);
      const out = new Float32Array(size[0] * size[1] * size[2]);
      for (let s0 = 0; s0 < size[axis]; s0 += len) {
        const pPos = [...position] as Vec3, pSize = [...size] as Vec3;
        pPos[axis] += s0;
        pSize[axis] = Math.min(len, size[axis] - s0);
        const part = await this.viewFloat(level, pPos, pSize, o, read);
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
    if (level === 0) return this.compose(position, size, o, read);
    if (tl) return this.composeFromTileLevel(position, size, o, read, tl.sources, tl.factor, per);
    const childStart = position.map((p, a) => p * f[a]) as Vec3;
    const childSize = size.map((s, a) => s * f[a]) as Vec3;
    const child = await this.viewFloat(level - 1, childStart, childSize, o, read);
    const ext = this.levelExtent(level - 1);
    return downsampleMean(child, childStart, childSize, f, ext.lo, ext.hi, o.fillValue).data;
  }

  /**
   * Compose a region from the tiles (level 0), or from the tiles' own level `at.level`: a tile
   * whose level-0 voxel 0 sits at p has its level-k voxel j centred at level-0 coordinate
   * (j + 0.5)·f − 0.5, which is voxel j + p/f of the level's global frame (voxel q of the view
   * covering level-0 voxels [q·f, (q+1)·f)); blending widths shrink by f with the voxels.
   */
  /** A view of a level from the tiles' level of factors f: composed at f, then the mean of `per` = F/f blocks. */
  private async composeFromTileLevel(position: Vec3, size: Vec3, o: ResolvedViewOptions, read: ReadMode, sources: TileLevel[], f: Vec3, per: Vec3): Promise<Float32Array> {
    if (per.every((v) => v === 1)) return this.compose(position, size, o, read, { sources, factor: f });
    const start = position.map((p, a) => p * per[a]) as Vec3;
    const fine = size.map((s, a) => s * per[a]) as Vec3;
    const data = await this.compose(start, fine, o, read, { sources, factor: f });
    // The extent of the volume at factors f, as levelExtent computes it for the pyramid's own levels.
    const lo = this.origin.map((v, a) => Math.floor(v / f[a])) as Vec3;
    const hi = this.origin.map((v, a) => Math.ceil((v + this.shape[a]) / f[a])) as Vec3;
    return downsampleMean(data, start, fine, per, lo, hi, o.fillValue).data;
  }

  private async compose(position: Vec3, size: Vec3, o: ResolvedViewOptions, read: ReadMode, at?: { sources: TileLevel[]; factor: Vec3 }): Promise<Float32Array> {
    const n = size[0] * size[1] * size[2];
    if (n === 0) return new Float32Array(0);
    const blocks = await this.tileBlocks(position, size, o, read, at);
    const opts = at ? { ...o, blendWidth: o.blendWidth / Math.max(...at.factor) } : o;
    return composeRegion(position, size, blocks, opts).data;
  }

  /**
   * The tiles' voxels a level-0 region needs (or, with `at`, a region of the tiles' level of those
   * factors), ready for composeRegion: any sub-region of it composes from the same blocks
   * (fusion reads a run of chunks once and composes it chunk by chunk). With `buffers`, the voxels
   * are read into the caller's reused arrays instead of fresh ones.
   */
  async tileBlocks(position: Vec3, size: Vec3, o: ResolvedViewOptions, read: ReadMode, at?: { sources: TileLevel[]; factor: Vec3 }, buffers?: TileBlockBuffers): Promise<TileBlock[]> {
    const model = o.intensityCorrection ? await this.intensity() : undefined;
    const useModel = model?.helps === true;
    const placedTiles = this.tiles.map((t) => {
      const source = at?.sources[t.index];
      const placed: PlacedTile = source && at ? { ...t, position: t.position.map((p, a) => p / at.factor[a]) as Vec3, info: { ...t.info, shape: source.shape } } : t;
      return { t, source, placed, box: this.tileBoxFor(placed, position, size, o.interpolation) };
    });
    // Buffers go by the order of the tiles a region meets, so their number is bounded by the tiles one region meets.
    let slot = 0;
    const blocks = await Promise.all(
      placedTiles.map(async ({ t, source, placed, box }) => {
        if (!box) return undefined;
        const data = await this.readTileBlock(placed, box, read, source?.array, buffers?.slot(slot++));
        const block: TileBlock = {
          position: placed.position,
          tileShape: placed.info.shape,
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
    return blocks.filter((b): b is TileBlock => b !== undefined);
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
  async readTileBlock(t: PlacedTile, box: Box3, read: ReadMode = {}, array?: TileArray, buffers?: BlockBuffers): Promise<Float32Array> {
    const arr = array ?? (await this.campaign.openTile(t.info.id));
    const n = box.size[0] * box.size[1] * box.size[2];
    const region = await arr.readRegion(box, { cache: read.uncached ? null : this.cache, into: buffers?.raw(arr.dtype, n) });
    // readRegion hands back a fresh array (or the caller's): a float32 one is ours to mark.
    const out = toFloatMarked(region.data, t.info.fillValue, buffers?.float(n));
    markInvalid(out, box, t.info);
    return out;
  }

  /** The intensity model (estimated once from the overlaps, then shared by every view). */
  intensity(): Promise<IntensityModel> {
    this.intensityPromise ??= this.estimateIntensity().catch((err: unknown) => {
      this.intensityPromise = undefined;
      throw err;
    });
    return this.intensityPromise;
  }

  /** Use `model` (e.g. one stored by an earlier run) instead of estimating it. */
  adoptIntensity(model: IntensityModel): void {
    if (model.gain.length !== this.tiles.length) throw new Error(`intensity model for ${model.gain.length} tiles given to a volume of ${this.tiles.length}`);
    this.intensityPromise = Promise.resolve(model);
  }

  /** Overlapping tile pairs, with the box (whole voxels) both cover at their stitched positions. */
  overlappingPairs(): [PlacedTile, PlacedTile, Box3][] {
    // Whole voxels inside the tile: from ceil(position) to floor(position + shape).
    const boxes = this.tiles.map((t): Box3 => {
      const start = t.position.map((p) => Math.ceil(p)) as Vec3;
      return { start, size: start.map((s, a) => Math.floor(t.position[a] + t.info.shape[a]) - s) as Vec3 };
    });
    const out: [PlacedTile, PlacedTile, Box3][] = [];
    for (let i = 0; i < this.tiles.length; i++)
      for (let j = i + 1; j < this.tiles.length; j++) {
        const box = intersectBoxes(boxes[i], boxes[j]);
        if (box) out.push([this.tiles[i], this.tiles[j], box]);
      }
    return out;
  }

  private async estimateIntensity(): Promise<IntensityModel> {
    const pairs = this.overlappingPairs();
    const found: (PairQuantiles | undefined)[] = new Array(pairs.length);
    // Several overlaps in flight keep the decode workers busy; the samples keep the pairs' order,
    // so the model (its folds) does not depend on which read finished first.
    let next = 0;
    const worker = async () => {
      while (next < pairs.length) {
        const i = next++;
        found[i] = await this.overlapSamples(pairs[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(INTENSITY_READS_IN_FLIGHT, pairs.length) }, worker));
    const summaries = found.filter((s): s is PairQuantiles => s !== undefined);
    return intensityModelOfSummaries(this.tiles.length, summaries);
  }

  /** The summary of both tiles' values over the central part of one overlap, sampled at the same global points. */
  private async overlapSamples([a, b, box]: [PlacedTile, PlacedTile, Box3]): Promise<PairQuantiles | undefined> {
    // Trilinear at the same global points, so that sub-voxel offsets between the tiles do not read
    // as a difference in contrast.
    const single = { blend: 'first' as const, blendWidth: 0, interpolation: 'linear' as const, fillValue: NaN };
    const { start, size } = intensitySampleBox(box);
    const sample = async (t: PlacedTile) => {
      const tb = this.tileBoxFor(t, start, size, 'linear');
      if (!tb) return undefined;
      const data = await this.readTileBlock(t, tb);
      const block: TileBlock = { position: t.position, tileShape: t.info.shape, lo: tb.start, size: tb.size, data, cylinder: false, gain: 1, offset: 0 };
      return composeRegion(start, size, [block], single).data;
    };
    const [va, vb] = await Promise.all([sample(a), sample(b)]);
    if (!va || !vb) return undefined;
    const x: number[] = [], y: number[] = [];
    for (let o = 0; o < va.length; o++) {
      if (va[o] !== va[o] || vb[o] !== vb[o]) continue;
      x.push(va[o]);
      y.push(vb[o]);
    }
    return x.length >= 64 ? fitPairQuantiles({ a: a.index, b: b.index, x: Float32Array.from(x), y: Float32Array.from(y) }) : undefined;
  }
}

/** Overlaps sampled at once while estimating the intensity model. */
const INTENSITY_READS_IN_FLIGHT = 8;

/**
 * A tile's voxels as float, NaN where equal to the fill value, in one pass (a float32 read is
 * fresh, so ours to mark in place).
 */
function toFloatMarked(data: TileTypedArray, fillValue: number | undefined, into?: Float32Array): Float32Array {
  const out = data instanceof Float32Array ? data : (into ?? new Float32Array(data.length));
  const n = data.length;
  if (fillValue === undefined) {
    if (out !== data) out.set(data);
    return out;
  }
  for (let o = 0; o < n; o++) {
    const v = data[o];
    out[o] = v === fillValue ? NaN : v;
  }
  return out;
}

/** NaN where a tile voxel lies outside the circle inscribed in (y, x) (cylindrical field of view). */
function markInvalid(out: Float32Array, box: Box3, info: TileInfo): void {
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
export function convertDtype(data: Float32Array, dtype: TileDtype, into?: TileTypedArray): TileTypedArray {
  if (dtype === 'float32') return data;
  const out = into ?? allocTyped(dtype, data.length);
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

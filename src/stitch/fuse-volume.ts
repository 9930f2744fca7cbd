import { appendFile, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Vec3 } from '../geometry/box.js';
import type { Executor, Job } from '../distributed/executor.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { StitchgraphError } from '../errors.js';
import { getLogger } from '../log.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import type { StitchedVolume, ViewOptions } from './stitched-volume.js';
import type { TileDtype } from '../zarrio/dtypes.js';
import { multiscalesMetadata } from './ome-zarr-metadata.js';
import { finishOmeZarr, type NgffVersion } from './finish-ome-zarr.js';
import { INTENSITY_FILE, type FuseBlockPayload } from './fuse-block-job.js';
import './fuse-block-job-kind.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { FuseBlockPayloadSchema } from './fuse-block-payload.js';
import { intensitySummary } from './intensity-summary.js';
import { storedIntensityModel } from './stored-intensity-model.js';

export interface FuseOptions extends Omit<ViewOptions, 'level' | 'dtype'> {
  /** The OME-Zarr group to write. @default `<workdir>/fused.ome.zarr` */
  out?: string;
  /** positions.json the volume was opened with (sent to workers); null: nominal positions. */
  positions: string | null;
  /** Pyramid levels including full resolution. @default until the level fits in one chunk in (y, x), at most 8 */
  levels?: number;
  /** Chunk (= block) shape. @default fusion.chunk ([64, 128, 128]) */
  chunk?: Vec3;
  /** Voxel type of the output. @default 'float32' */
  dtype?: 'tile' | TileDtype;
  /**
   * Chunk compressor of the output: blosc (zstd level 1, byte shuffle, written by our WebAssembly
   * encoder; read by zarr-python 2; several times faster to write than zlib) or zlib (the format
   * of earlier versions).
   * @default 'blosc'
   */
  compressor?: 'blosc' | 'zlib';
  /**
   * OME-NGFF version: 0.4 on Zarr v2 (what zarr-python 2 and most viewers read) or 0.5 on Zarr v3
   * (same chunks, v3 metadata; needs the blosc compressor).
   * @default fusion.ngff ('0.4')
   */
  ngff?: NgffVersion;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface FuseResult {
  out: string;
  /** Every file or folder written (the same shape for every stage). */
  files: string[];
  levels: number;
  blocks: number;
  /** Blocks skipped because an earlier run wrote them. */
  skipped: number;
}

const DONE_LOG = '.stitchgraph-fuse-done.log';
export const PARAMS_FILE = '.stitchgraph-fuse.json';
/** Written last, when every block of every level is in place: readers and `run` trust only a complete output. */
export const FUSE_COMPLETE_MARKER = '.stitchgraph-fuse-complete.json';

/**
 * Output voxels one fuse job writes (a span of whole chunks, written one chunk at a time): big
 * enough that the tile chunks neighbouring output chunks share are decoded once per job (through
 * the volume's chunk cache) rather than once per output chunk in whichever worker gets it, and
 * that per-job costs (messages, volume lookup) vanish; small enough that a campaign still splits
 * into many jobs for the workers. Memory does not grow with it: chunks are composed one by one.
 */
const JOB_VOXELS = 16 * 2 ** 20;

/** Chunks per job along (z, y, x): doubled along x and y in turn (planes stay whole chunks), up to about JOB_VOXELS. */
export function jobSpan(chunk: Vec3): Vec3 {
  const span: Vec3 = [1, 1, 1];
  const voxels = () => chunk[0] * span[1] * chunk[1] * span[2] * chunk[2];
  for (let a = 2; voxels() * 2 <= JOB_VOXELS; a = 3 - a) span[a] *= 2;
  return span;
}

/** The jobs of one level: spans of chunks, each listing the chunks not done yet (a span all done is no job). */
function levelJobs(level: number, grid: Vec3, span: Vec3, done: Set<string>, payload: (blocks: Vec3[]) => FuseBlockPayload): Job<FuseBlockPayload>[] {
  const jobs: Job<FuseBlockPayload>[] = [];
  for (let z = 0; z < grid[0]; z += span[0])
    for (let y = 0; y < grid[1]; y += span[1])
      for (let x = 0; x < grid[2]; x += span[2]) {
        const blocks: Vec3[] = [];
        for (let bz = z; bz < Math.min(grid[0], z + span[0]); bz++)
          for (let by = y; by < Math.min(grid[1], y + span[1]); by++)
            for (let bx = x; bx < Math.min(grid[2], x + span[2]); bx++) if (!done.has(`${level}/${bz}.${by}.${bx}`)) blocks.push([bz, by, bx]);
        if (blocks.length) jobs.push({ id: `${level}/${z}.${y}.${x}`, kind: 'fuse-block', payload: payload(blocks) });
      }
  return jobs;
}

/** Levels so that the coarsest fits one chunk in (y, x). */
function defaultLevels(volume: StitchedVolume, chunk: Vec3): number {
  let l = 0;
  while (l < 7) {
    const s = volume.levelExtent(l).shape;
    if (s[1] <= chunk[1] && s[2] <= chunk[2]) break;
    l++;
  }
  return l + 1;
}

/**
 * Fuse the whole stitched volume into a multiscale OME-Zarr (Zarr v2, NGFF 0.4), block by block
 * as `fuse-block` jobs on the executor: level 0 from the tiles, then each level from the one
 * below. Each block is recorded as done once written, so a rerun skips it; changed positions or
 * options start over. Memory is bounded by one block per job and the chunk cache, whatever the
 * volume size.
 */
export async function fuseVolume(volume: StitchedVolume, executor: Executor, opts: FuseOptions): Promise<FuseResult> {
  const log = getLogger();
  const campaign = volume.campaign;
  const out = opts.out ?? join(campaign.workdir, 'fused.ome.zarr');
  const options = volume.resolveViewOptions({ ...opts, level: 0, dtype: 'float32' });
  const dtype: TileDtype = opts.dtype === undefined ? 'float32' : opts.dtype === 'tile' ? volume.tileDtype : opts.dtype;
  const chunk = (opts.chunk ?? campaign.config.fusion.chunk).map((c, a) => Math.min(c, volume.shape[a])) as Vec3;
  const levels = opts.levels ?? defaultLevels(volume, chunk);
  if (!Number.isInteger(levels) || levels < 1 || levels > 12) throw new StitchgraphError('InputError', `Cannot fuse: levels ${levels} must be an integer from 1 to 12`);

  const positionsHash = opts.positions ? createHash('sha256').update(await readFile(opts.positions)).digest('hex') : 'nominal';
  const compressor = opts.compressor ?? 'blosc';
  if (compressor !== 'blosc' && compressor !== 'zlib') throw new StitchgraphError('InputError', `Cannot fuse: compressor "${String(compressor)}" must be blosc or zlib`);
  const ngff = opts.ngff ?? campaign.config.fusion.ngff;
  if (ngff === '0.5' && compressor !== 'blosc') throw new StitchgraphError('InputError', `Cannot fuse as NGFF 0.5: Zarr v3 has no codec for ${compressor} chunks; use --compressor blosc`);
  const params = { campaign: campaign.file, positions: opts.positions, positionsHash, options, dtype, chunk, levels, origin: volume.origin, shape: volume.shape, compressor, ...(ngff === '0.4' ? {} : { ngff }) };
  const fingerprint = createHash('sha256').update(JSON.stringify(params)).digest('hex');
  let previous: { fingerprint?: string } | undefined;
  try {
    previous = JSON.parse(await readFile(join(out, PARAMS_FILE), 'utf8')) as { fingerprint?: string };
  } catch {
    previous = undefined;
  }
  const done = new Set<string>();
  await rm(join(out, FUSE_COMPLETE_MARKER), { force: true });
  if (previous?.fingerprint === fingerprint) {
    const text = await readFile(join(out, DONE_LOG), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line) done.add(line);
  } else {
    // Never delete what this stage did not write: only a previous fusion output, or nothing.
    const entries = await readdir(out).catch(() => [] as string[]);
    if (!previous && entries.length > 0) {
      throw new StitchgraphError('InputError', `Cannot fuse into ${out}: it exists and is not a stitchgraph fusion output (no ${PARAMS_FILE}); choose another --out or remove it`, { details: { out } });
    }
    if (previous) log.info({ out }, 'fusion parameters changed: starting over');
    await rm(out, { recursive: true, force: true });
  }

  let intensity: { gain: number[]; offset: number[]; helps: boolean } | undefined;
  if (options.intensityCorrection) {
    const { model: m } = await storedIntensityModel(volume);
    intensity = { gain: Array.from(m.gain), offset: Array.from(m.offset), helps: m.helps };
    const summary = intensitySummary(m, volume.tiles.map((t) => t.info.id));
    log.info({ heldOutBefore: m.rmsBefore, heldOutAfter: m.rmsAfter, applied: m.helps, tiles: summary.tiles }, `intensity correction ${m.reason}`);
    // The overlaps read for the model are not what the blocks need: give the memory back to the jobs.
    volume.cache.clear();
  }
  await writeJsonAtomic(join(out, '.zgroup'), { zarr_format: 2 });
  await writeJsonAtomic(join(out, '.zattrs'), multiscalesMetadata(volume, levels, campaign.name, { stitchgraph: { blend: options.blend, blend_width: options.blendWidth, intensity_correction: intensity?.helps ?? false, origin: volume.origin } }));
  if (intensity) await writeJsonAtomic(join(out, INTENSITY_FILE), intensity);
  else await rm(join(out, INTENSITY_FILE), { force: true });
  for (let l = 0; l < levels; l++) {
    const shape = volume.levelExtent(l).shape;
    await ZarrV2Array.create(join(out, String(l)), { shape, chunks: chunk, dtype, fillValue: options.fillValue, compressor });
  }
  await writeJsonAtomic(join(out, PARAMS_FILE), { fingerprint, ...params });

  const perLevel = Array.from({ length: levels }, (_, l) => volume.levelExtent(l).shape.map((s, a) => Math.ceil(s / chunk[a])) as Vec3);
  const total = perLevel.reduce((s, c) => s + c[0] * c[1] * c[2], 0);
  const span = jobSpan(chunk);
  let finished = 0, skipped = 0;
  for (let l = 0; l < levels; l++) {
    const jobs = levelJobs(l, perLevel[l], span, done, (blocks) => parseJobPayload('fuse-block', FuseBlockPayloadSchema, { campaign: campaign.file, positions: opts.positions, fingerprint, out, level: l, blocks, options }));
    const todo = jobs.reduce((s, j) => s + j.payload.blocks.length, 0);
    const [nz, ny, nx] = perLevel[l];
    skipped += nz * ny * nx - todo;
    finished += nz * ny * nx - todo;
    opts.onProgress?.(finished, total);
    const byId = new Map(jobs.map((j) => [j.id, j.payload.blocks]));
    const failures: string[] = [];
    for await (const outcome of executor.run(jobs, { signal: opts.signal, work: { fingerprint, out, level: l } })) {
      const blocks = byId.get(outcome.id) ?? [];
      finished += blocks.length;
      if (outcome.ok) await appendFile(join(out, DONE_LOG), blocks.map((b) => `${l}/${b.join('.')}\n`).join(''));
      else failures.push(`${outcome.id}: ${outcome.error}`);
      opts.onProgress?.(finished, total);
    }
    if (failures.length) {
      throw new StitchgraphError('StageError', `Cannot fuse ${campaign.file}: ${failures.length} job(s) of level ${l} failed, first ${failures[0]} (rerun to retry them; finished blocks are kept)`, { details: { failures: failures.slice(0, 20) } });
    }
  }
  await finishOmeZarr(out, levels, ngff, campaign.name);
  await writeJsonAtomic(join(out, FUSE_COMPLETE_MARKER), { fingerprint, levels, blocks: total });
  return { out, files: [out], levels, blocks: total, skipped };
}

import { appendFile, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Campaign } from '../campaign/open-campaign.js';
import type { Executor, Job } from '../distributed/executor.js';
import type { Vec3 } from '../geometry/box.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { StitchgraphError } from '../errors.js';
import { allocTyped } from '../zarrio/dtypes.js';
import { planTilePyramid, READ_CONCURRENCY, type TilePyramidPlan } from './_plan-tile-pyramid.js';
import { prepareTileGroup, type PreparedTileGroup } from './_prepare-tile-group.js';
import { DONE_LOG, pyramidGroupAttrs, tileGroupPath } from './_pyramid-layout.js';
import { pyramidStorePath } from './pyramid-store-path.js';
import { forgetTilePyramids } from './forget-tile-pyramids.js';
import type { PyramidBlockPayload, PyramidBlockResult } from './build-pyramid-block.js';
import './pyramid-block-job-kind.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { PyramidBlockPayloadSchema } from './pyramid-block-payload.js';

export interface BuildPyramidsOptions {
  signal?: AbortSignal;
  /** Blocks finished (skipped ones included) of all blocks still to build. */
  onProgress?: (done: number, total: number) => void;
  /** Called when a level is complete for every tile that has it. */
  onLevel?: (level: number, tiles: number, blocks: number, seconds: number) => void;
}

export type TilePyramidStatus = 'built' | 'complete' | 'own multiscales' | 'single level';

export interface BuildPyramidsResult {
  store: string;
  tiles: { id: string; status: TilePyramidStatus; levels: number; factors: Vec3[] }[];
  /** Blocks computed by this run, and blocks skipped because an earlier run wrote them. */
  computed: number;
  skipped: number;
  /** Bytes read by the jobs (every level's source), and the level-0 bytes of the tiles this run built (or finished). */
  bytesRead: number;
  sourceBytes: number;
  seconds: number;
  /** Largest memory any job was planned to hold, bytes (within pyramid.memory_mb). */
  peakJobBytes: number;
}

/** The derived store must not be the tile store nor lie inside it (the source data stays unaltered). */
function checkStoreLocation(campaign: Campaign, store: string): void {
  const rel = relative(campaign.storePath, store);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new StitchgraphError('ConfigError', `Cannot build pyramids in ${store}: it lies inside the tile store ${campaign.storePath}, which is never written to; set pyramid.store elsewhere (default: <workdir>/pyramids.zarr)`, { details: { key: 'pyramid.store', store } });
  }
}

interface TileState {
  plan: TilePyramidPlan;
  group: PreparedTileGroup;
  /** Levels complete before this run. */
  wasComplete: number;
}

function blockKey(level: number, start: Vec3, shape: Vec3): string {
  return `${level}:${start.join(',')}+${shape.join(',')}`;
}

function levelJobs(campaign: Campaign, store: string, state: TileState, level: number): { jobs: Job<PyramidBlockPayload>[]; skipped: number } {
  const { plan, group } = state;
  const l = plan.levels[level];
  const { block, grid } = l.blocks;
  const jobs: Job<PyramidBlockPayload>[] = [];
  let skipped = 0;
  for (let z = 0; z < grid[0]; z++)
    for (let y = 0; y < grid[1]; y++)
      for (let x = 0; x < grid[2]; x++) {
        const idx: Vec3 = [z, y, x];
        const start = idx.map((b, a) => b * block[a]) as Vec3;
        const key = blockKey(level, start, block);
        if (group.done.has(key)) {
          skipped++;
          continue;
        }
        jobs.push({
          id: `${plan.tile.id}|${key}`,
          kind: 'pyramid-block',
          payload: parseJobPayload('pyramid-block', PyramidBlockPayloadSchema, { campaign: campaign.file, tile: plan.tile.id, store, level, block: idx, blockShape: block, sourceFactors: plan.levels[level - 1].factors, factors: l.factors, readConcurrency: READ_CONCURRENCY }),
        });
      }
  return { jobs, skipped };
}

/** The state of one build, passed between its steps. */
interface BuildRun {
  campaign: Campaign;
  store: string;
  executor: Executor;
  opts: BuildPyramidsOptions;
  states: TileState[];
  finished: number;
  total: number;
  computed: number;
  skipped: number;
  bytesRead: number;
}

/** Tiles that have level k and have not completed it. */
function pendingAt(states: TileState[], k: number): TileState[] {
  return states.filter((s) => s.plan.levels.length > k && s.group.attrs.complete < k);
}

/** Level k of every tile that lacks it: its missing blocks as one batch, each logged when written; then the level is marked complete. */
async function buildLevel(run: BuildRun, k: number): Promise<void> {
  const { campaign, store, executor, opts } = run;
  const t0 = performance.now();
  const work = pendingAt(run.states, k).map((s) => ({ s, ...levelJobs(campaign, store, s, k) }));
  if (work.length === 0) return;
  const ofJob = new Map<string, TileState>();
  for (const w of work) for (const j of w.jobs) ofJob.set(j.id, w.s);
  const skippedHere = work.reduce((n, w) => n + w.skipped, 0);
  run.skipped += skippedHere;
  run.finished += skippedHere;
  opts.onProgress?.(run.finished, run.total);
  const failures: string[] = [];
  for await (const o of executor.run<PyramidBlockPayload, PyramidBlockResult>(work.flatMap((w) => w.jobs), {
    signal: opts.signal,
    // The level of every tile still pending, not the blocks left: a rerun sends fewer blocks, and a
    // restarted NATS coordinator must adopt the run of the one it replaces rather than start another.
    work: { store, level: k, tiles: work.map((w) => w.s.plan.tile.id) },
  })) {
    run.finished++;
    if (o.ok) {
      run.computed++;
      run.bytesRead += o.value.bytesRead;
      const s = ofJob.get(o.id) as TileState;
      await appendFile(join(tileGroupPath(store, s.plan.tile.id), DONE_LOG), `${o.id.slice(s.plan.tile.id.length + 1)}\n`);
    } else failures.push(`${o.id}: ${o.error}`);
    opts.onProgress?.(run.finished, run.total);
  }
  if (failures.length > 0) {
    throw new StitchgraphError('StageError', `Cannot build pyramids of ${campaign.file}: ${failures.length} block(s) of level ${k} failed, first ${failures[0]} (rerun to retry them; finished blocks are kept)`, { details: { failures: failures.slice(0, 20) } });
  }
  for (const { s } of work) {
    s.group.attrs = { ...s.group.attrs, complete: k };
    await writeJsonAtomic(join(tileGroupPath(store, s.plan.tile.id), '.zattrs'), pyramidGroupAttrs(s.plan.tile.id, campaign.voxelSize, s.group.attrs));
  }
  opts.onLevel?.(k, work.length, work.reduce((n, w) => n + w.jobs.length, 0), (performance.now() - t0) / 1000);
}

async function planTiles(campaign: Campaign): Promise<{ plans: TilePyramidPlan[]; skippedTiles: BuildPyramidsResult['tiles'] }> {
  const plans: TilePyramidPlan[] = [];
  const skippedTiles: BuildPyramidsResult['tiles'] = [];
  for (const tile of campaign.tiles) {
    if (tile.multiscales && tile.multiscales.datasets.length > 1) {
      skippedTiles.push({ id: tile.id, status: 'own multiscales', levels: tile.multiscales.datasets.length, factors: [] });
      continue;
    }
    const array = await campaign.openTile(tile.id);
    const plan = planTilePyramid(campaign, tile, array.chunks);
    if (plan.levels.length === 1) skippedTiles.push({ id: tile.id, status: 'single level', levels: 1, factors: [[1, 1, 1]] });
    else plans.push(plan);
  }
  return { plans, skippedTiles };
}

/**
 * Build every missing tile pyramid of a campaign into the derived store, level by level: level k
 * of every tile from its level k−1, as `pyramid-block` jobs on the executor (local pool or NATS),
 * each one chunk-aligned block planned within `pyramid.memory_mb`. Every written block is logged,
 * so a rerun (after a crash, Ctrl-C or a failed job) computes only the blocks still missing and
 * gives the same arrays as an undisturbed build; a level is listed in the group's `multiscales`
 * only once all its blocks are written. Tiles that are OME-Zarr multiscale images already, or too
 * small for a second level, are left as they are.
 */
export async function buildPyramids(campaign: Campaign, executor: Executor, opts: BuildPyramidsOptions = {}): Promise<BuildPyramidsResult> {
  const t0 = performance.now();
  const store = pyramidStorePath(campaign);
  checkStoreLocation(campaign, store);
  const { plans, skippedTiles } = await planTiles(campaign);
  const states: TileState[] = [];
  for (const plan of plans) {
    const group = await prepareTileGroup(campaign, store, plan);
    states.push({ plan, group, wasComplete: group.attrs.complete });
  }
  if (plans.length > 0 && !(await stat(join(store, '.zgroup')).catch(() => undefined))) await writeJsonAtomic(join(store, '.zgroup'), { zarr_format: 2 });

  const run: BuildRun = { campaign, store, executor, opts, states, finished: 0, total: 0, computed: 0, skipped: 0, bytesRead: 0 };
  const maxLevels = Math.max(0, ...plans.map((p) => p.levels.length));
  for (let k = 1; k < maxLevels; k++) for (const s of pendingAt(states, k)) run.total += s.plan.levels[k].blocks.grid.reduce((p, g) => p * g, 1);
  for (let k = 1; k < maxLevels; k++) await buildLevel(run, k);
  const { computed, skipped, bytesRead } = run;
  forgetTilePyramids(campaign);
  const built = (s: TileState) => s.plan.levels.length;
  const sourceBytes = states.filter((s) => s.wasComplete < built(s) - 1).reduce((n, s) => n + s.plan.tile.shape.reduce((p, v) => p * v, 1) * allocTyped(s.plan.tile.dtype, 0).BYTES_PER_ELEMENT, 0);
  return {
    store,
    tiles: [...states.map((s) => ({ id: s.plan.tile.id, status: (s.wasComplete === built(s) - 1 ? 'complete' : 'built') as TilePyramidStatus, levels: built(s), factors: s.plan.levels.map((l) => l.factors) })), ...skippedTiles],
    computed,
    skipped,
    bytesRead,
    sourceBytes,
    seconds: (performance.now() - t0) / 1000,
    peakJobBytes: Math.max(0, ...plans.flatMap((p) => p.levels.map((l) => l.blocks.estimatedBytes))),
  };
}


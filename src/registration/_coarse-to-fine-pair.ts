/**
 * A pair above level 0: phase correlation (with its multi-peak NCC checks) of the overlap boxes at
 * the planned level, to an integer shift of that level; then full-resolution refinement windows
 * placed where both tiles have texture, each correlated within a few voxels of the coarse shift
 * (local search, no phase correlation) and combined robustly. Only the chunks of the level's boxes
 * and of the windows are read.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import type { PairRecord } from '../formats/pairs.js';
import { validMask } from './valid-mask.js';
import { registerRegions } from './register-regions.js';
import { pairRecord, round, type PairJobPayload, type PairTileSource } from './register-pair.js';
import type { PairLevelPlan } from './pair-level-plan.js';
import { tileLevel, type LevelSource, type LevelSourceBase } from './tile-levels.js';
import { placeWindows, type CoarseRegion, type PlacedWindow } from './place-windows.js';
import { combineWindowShifts, type WindowShift } from './combine-window-shifts.js';
import { PLAN_DEFAULTS } from './pair-level-plan.js';

/** Windows that agree this well stop the refinement early (the rest would add little precision). */
const EARLY_AGREEMENT = { windows: 4, rms: 0.15 };
/**
 * Coarse levels are small (a few coarse_voxels): PFFFT in WebAssembly even below its usual
 * threshold, 10–20 % of a job's CPU saved; the shift is verified by NCC and refined anyway.
 */
const COARSE_FFT = 'wasm';

export interface WindowRecord {
  /** Window in tile a's voxel coordinates. */
  start: Vec3;
  size: Vec3;
  status: 'ok' | 'rejected';
  reason?: string;
  shift?: Vec3;
  correlation: number;
  inlier?: boolean;
}

function stored(tile: PairTileSource): LevelSourceBase[] {
  return tile.levels ?? [{ factors: [1, 1, 1], shape: tile.shape, readRegion: (box, o) => tile.readRegion(box, o) }];
}

async function readCoarse(tile: PairTileSource, level: LevelSource, box: Box3): Promise<CoarseRegion> {
  const r = await level.readRegion(box);
  const mask = validMask(r.data, r.shape, { regionStart: box.start, tileShape: level.shape, fieldOfView: tile.fieldOfView, fillValue: level.factors.every((f) => f === 1) ? tile.fillValue : undefined });
  return { data: r.data, mask, box };
}

async function refineWindow(job: PairJobPayload, tileA: PairTileSource, tileB: PairTileSource, win: PlacedWindow, coarse: Vec3, plan: PairLevelPlan): Promise<WindowRecord & { voxels: number }> {
  const boxA = win.box;
  const start = [0, 1, 2].map((ax) => Math.max(0, boxA.start[ax] - coarse[ax] - plan.windowMargin[ax])) as Vec3;
  const end = [0, 1, 2].map((ax) => Math.min(tileB.shape[ax], boxA.start[ax] + boxA.size[ax] - coarse[ax] + plan.windowMargin[ax])) as Vec3;
  const boxB: Box3 = { start, size: [0, 1, 2].map((ax) => end[ax] - start[ax]) as Vec3 };
  const [ra, rb] = await Promise.all([tileA.readRegion(boxA), tileB.readRegion(boxB)]);
  const maskA = validMask(ra.data, ra.shape, { regionStart: boxA.start, tileShape: tileA.shape, fieldOfView: tileA.fieldOfView, fillValue: tileA.fillValue });
  const maskB = validMask(rb.data, rb.shape, { regionStart: boxB.start, tileShape: tileB.shape, fieldOfView: tileB.fieldOfView, fillValue: tileB.fillValue });
  const res = registerRegions(
    { data: ra.data, shape: ra.shape, mask: maskA },
    { data: rb.data, shape: rb.shape, mask: maskB },
    {
      search: 'local',
      expected: [0, 1, 2].map((ax) => coarse[ax] - boxA.start[ax] + boxB.start[ax]) as Vec3,
      margin: plan.windowMargin,
      minOverlap: job.minOverlap.map((m, ax) => Math.min(m, boxA.size[ax])) as Vec3,
      minCorrelation: job.sample === 'null' ? -1 : job.params.min_correlation,
      minIsotropy: job.params.min_isotropy,
      subvoxel: job.params.subvoxel,
    },
  );
  const base = { start: [...boxA.start] as Vec3, size: [...boxA.size] as Vec3, status: res.status, correlation: round(Number.isFinite(res.correlation) ? res.correlation : 0, 6), voxels: res.voxels };
  if (res.status !== 'ok' || !res.translation) return { ...base, reason: res.reason };
  return { ...base, shift: [0, 1, 2].map((ax) => round(res.translation![ax] + boxA.start[ax] - boxB.start[ax], 4)) as Vec3 };
}

/** Why no window consensus: the windows' own reason when every window was rejected for the same one. */
function refinementFailure(done: readonly WindowRecord[], agreeing: number): string {
  const reasons = new Set(done.map((w) => (w.status === 'ok' ? '' : (w.reason ?? ''))));
  const [only] = reasons;
  if (reasons.size === 1 && only) return `${only} (in every refinement window)`;
  return `no distinct correlation peak (refinement windows disagree: ${agreeing} of ${done.length} agree)`;
}

/** The coarse step: the level's boxes phase correlated, to an integer shift of the level. */
async function coarseStep(job: PairJobPayload, tileA: PairTileSource, tileB: PairTileSource, plan: PairLevelPlan) {
  const f = plan.factors;
  const la = tileLevel(stored(tileA), f), lb = tileLevel(stored(tileB), f);
  const { boxA, boxB } = plan.choice;
  const [ca, cb] = await Promise.all([readCoarse(tileA, la, boxA), readCoarse(tileB, lb, boxB)]);
  const ds = job.params.downsample.map((d, ax) => Math.max(1, Math.ceil(d / f[ax]))) as Vec3;
  const res = registerRegions(
    { data: ca.data, shape: boxA.size, mask: ca.mask },
    { data: cb.data, shape: boxB.size, mask: cb.mask },
    {
      downsample: ds,
      peaks: job.params.peaks,
      apodization: job.params.apodization,
      peakSmoothing: job.params.peak_smoothing,
      minIsotropy: job.params.min_isotropy,
      minCorrelation: job.sample === 'null' ? -1 : job.params.min_correlation,
      minOverlap: job.minOverlap.map((m, ax) => Math.max(1, Math.ceil(m / f[ax]))) as Vec3,
      expected: [0, 1, 2].map((ax) => job.nominalShift[ax] / f[ax] - boxA.start[ax] + boxB.start[ax]) as Vec3,
      margin: job.margin.map((m, ax) => Math.ceil(m / f[ax])) as Vec3,
      // Integer at the level: the windows find the sub-voxel shift.
      subvoxel: 'none',
      fftEngine: COARSE_FFT,
    },
  );
  return { res, ca, cb, record: pairRecord(job, res, boxA.start, boxB.start, f) };
}

export async function coarseToFinePair(job: PairJobPayload, tileA: PairTileSource, tileB: PairTileSource, plan: PairLevelPlan): Promise<PairRecord> {
  const f = plan.factors;
  const coarse = await coarseStep(job, tileA, tileB, plan);
  const levelInfo = { level: plan.choice.level, level_factors: [...f] as Vec3 };
  if (coarse.res.status !== 'ok') return { ...coarse.record, ...levelInfo };
  const coarseShift = coarse.record.shift;
  const coarseFields = { coarse_shift: coarseShift, coarse_correlation: coarse.record.correlation };
  const placed = placeWindows({ a: coarse.ca, b: coarse.cb, factors: f, shift: coarseShift, shapeA: tileA.shape, shapeB: tileB.shape, size: plan.windowSize, count: job.params.windows ?? PLAN_DEFAULTS.windows });
  const done: (WindowRecord & { voxels: number })[] = [];
  for (const win of placed) {
    done.push(await refineWindow(job, tileA, tileB, win, coarseShift, plan));
    const ok = done.filter((w) => w.status === 'ok');
    const c = combineWindowShifts(ok.map((w) => ({ shift: w.shift!, correlation: w.correlation, voxels: w.voxels })));
    if (ok.length >= EARLY_AGREEMENT.windows && c.inliers === ok.length && c.agreement <= EARLY_AGREEMENT.rms) break;
  }
  const ok = done.filter((w) => w.status === 'ok');
  const combined = combineWindowShifts(ok.map((w): WindowShift => ({ shift: w.shift!, correlation: w.correlation, voxels: w.voxels })));
  ok.forEach((w, i) => (w.inlier = combined.inlier[i]));
  const windows: WindowRecord[] = done.map(({ voxels: _v, ...w }) => w);
  const refinement = { windows, windows_agreeing: combined.inliers, window_agreement: round(combined.agreement, 4) };
  const base = { ...coarse.record, ...levelInfo, ...coarseFields, ...refinement };
  if (!combined.shift) {
    const reason = placed.length === 0 ? 'no textured window inside both fields of view at the coarse shift' : refinementFailure(done, combined.inliers);
    return { ...base, status: 'rejected', reason, shift: [...job.nominalShift], measured_shift: coarseShift, correlation: round(combined.correlation, 6) };
  }
  return {
    ...base,
    status: 'ok',
    shift: combined.shift.map((v) => round(v, 4)) as Vec3,
    correlation: round(combined.correlation, 6),
    voxels: ok.reduce((s, w, i) => s + (combined.inlier[i] ? w.voxels : 0), 0),
  };
}

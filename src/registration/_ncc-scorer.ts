/**
 * The masked NCC of one pair of prepared regions at integer translations, memoised: every step of
 * the search (candidates, climb, neighbourhood) asks it, and no translation is scored twice.
 */
import type { Vec3 } from '../geometry/box.js';
import { maskedNcc, type NccResult } from './masked-ncc.js';
import type { PreparedRegion } from './_prepare-region.js';

/**
 * Above this many voxels per box the candidate ranking, the local search and the gradient step
 * sample every other plane and row (every fourth row above 4×): a quarter of 1 M voxels still
 * estimates r and the gradient normal equations far more precisely than neighbouring shifts differ.
 */
const LOCAL_SEARCH_FULL_VOXELS = 1_000_000;

export interface Scored {
  t: Vec3;
  r: NccResult;
}

const key3 = (t: Vec3): string => `${t[0]},${t[1]},${t[2]}`;

export class NccScorer {
  /** Whether the local search samples (large overlaps). */
  readonly big: boolean;
  /** Plane and row step of the sampled local search ([1, 1] when not big). */
  readonly localStep: [number, number];
  private readonly full = new Map<string, NccResult>();
  private readonly sampled = new Map<string, NccResult>();

  constructor(
    readonly a: PreparedRegion,
    readonly b: PreparedRegion,
    private readonly expected: Vec3,
    private readonly margin: Vec3,
    private readonly minOverlap: Vec3,
  ) {
    const n = a.shape[0] * a.shape[1] * a.shape[2];
    this.big = n > LOCAL_SEARCH_FULL_VOXELS;
    // Every fourth row above 4 M voxels: still ≥ 1 M sampled (2 M at 64×512×512).
    this.localStep = this.big ? [a.shape[0] >= 16 ? 2 : 1, n > 4 * LOCAL_SEARCH_FULL_VOXELS && a.shape[1] >= 64 ? 4 : 2] : [1, 1];
  }

  /** r over the whole overlap. */
  ncc(t: Vec3): NccResult {
    const k = key3(t);
    let r = this.full.get(k);
    if (!r) {
      r = maskedNcc(this.a, this.b, t);
      this.full.set(k, r);
    }
    return r;
  }

  /** r for the local search: in very large overlaps every other plane and row (unbiased; the maximum stays where it is). */
  local(t: Vec3): NccResult {
    if (!this.big) return this.ncc(t);
    const k = key3(t);
    let r = this.sampled.get(k);
    if (!r) {
      r = maskedNcc(this.a, this.b, t, this.localStep);
      this.sampled.set(k, r);
    }
    return r;
  }

  /** The overlap left at this translation is large enough and r is defined. */
  overlapOk(r: NccResult): boolean {
    return r.overlap.every((s, ax) => s >= Math.min(this.minOverlap[ax], this.a.shape[ax], this.b.shape[ax])) && Number.isFinite(r.r);
  }

  /** |t − expected| within the margin (plus `slack`) on every axis. */
  within(t: ArrayLike<number>, slack: number): boolean {
    return [0, 1, 2].every((ax) => Math.abs(t[ax] - this.expected[ax]) <= this.margin[ax] + slack);
  }

  /** The best-scoring of `ts` (overlap large enough), by the full or the local score. */
  best(ts: readonly Vec3[], by: 'full' | 'local'): Scored | undefined {
    let best: Scored | undefined;
    for (const t of ts) {
      const r = by === 'full' ? this.ncc(t) : this.local(t);
      if (this.overlapOk(r) && (!best || r.r > best.r.r)) best = { t, r };
    }
    return best;
  }
}

export { key3 };

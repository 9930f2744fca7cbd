/**
 * For a rejected pair: which option would change the outcome, in words a user can act on. Matched
 * on the reason's leading words (register-regions.ts writes them), so an unknown reason gets none.
 */
import type { PairRecord } from '../formats/pairs.js';
import type { Vec3 } from '../geometry/box.js';

export interface HintContext {
  /** The search margin the pair was (last) searched with. */
  margin: Vec3;
  /** Whether that margin was already the widened one. */
  widened: boolean;
}

function fmtVec(v: readonly number[]): string {
  return `[${v.map((x) => Number(x.toFixed(1))).join(', ')}]`;
}

export function rejectionHint(r: PairRecord, ctx: HintContext): string | undefined {
  const reason = r.reason ?? '';
  if (reason.startsWith('shift beyond the search margin')) {
    const m = r.measured_shift as Vec3 | undefined, n = r.nominal_shift;
    if (m && n) {
      const need = m.map((v, ax) => (ctx.margin[ax] === 0 ? 0 : Math.ceil(Math.abs(v - n[ax]) + 2))) as Vec3;
      return `its best match (r ${r.correlation.toFixed(3)}) is ${fmtVec(m.map((v, ax) => v - n[ax]))} voxels from the stage position, past the margin ${fmtVec(ctx.margin)}${ctx.widened ? ' (already widened)' : ''}: registration.search_margin: ${fmtVec(need.map((v, ax) => Math.max(v, ctx.margin[ax])))} would search there`;
    }
    return `the correlation still rises at the margin ${fmtVec(ctx.margin)}: raise registration.search_margin (or search_margin_widen)`;
  }
  if (reason.includes('below the campaign threshold')) return `registration.threshold: fixed (min_correlation ${r.correlation.toFixed(2)} or less) would accept it; the permutation test judged it no better than unrelated regions`;
  if (reason.startsWith('correlation')) return `registration.min_correlation below ${r.correlation.toFixed(3)} would accept it (check it in a view first)`;
  if (reason.startsWith('no distinct correlation peak (a ridge')) return 'registration.min_isotropy lower than its isotropy would accept it; the shift along the structure is not determined';
  if (reason.startsWith('no distinct')) return 'registration.subvoxel: none would accept the integer shift';
  if (reason.startsWith('overlap too small')) return 'registration.min_overlap_measured lower would accept it';
  if (reason.startsWith('blank') || reason.startsWith('no valid voxels')) return 'none: the overlap holds no image to match (the tiles are placed by their other pairs or the stage)';
  if (reason.startsWith('job failed')) return 'run register again: failed jobs are retried';
  return undefined;
}

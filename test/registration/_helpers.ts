import type { Vec3 } from '../../src/geometry/box.js';
import type { PairRecord } from '../../src/formats/pairs.js';
import type { SynthResult } from '../../src/synth/synth-campaign.js';

/** True shift of a pair from a synthetic campaign's truth: position(b) − position(a). */
export function trueShift(res: SynthResult, p: PairRecord): Vec3 {
  const ta = res.truth.tiles[p.a].position, tb = res.truth.tiles[p.b].position;
  return [tb[0] - ta[0], tb[1] - ta[1], tb[2] - ta[2]];
}

export function shiftError(res: SynthResult, p: PairRecord): number {
  const t = trueShift(res, p);
  return Math.hypot(p.shift[0] - t[0], p.shift[1] - t[1], p.shift[2] - t[2]);
}

/**
 * Does the pair's true overlap carry structure? Its true extent is at least `minExtent` voxels on
 * every axis longer than one, and at least `minVessel` of its voxels are vessel (phantom coverage).
 */
export function hasStructure(res: SynthResult, p: PairRecord, tileShape: Vec3, minExtent = 8, minVessel = 0.01): boolean {
  const pa = res.truth.tiles[p.a].position, pb = res.truth.tiles[p.b].position;
  if (res.truth.tiles[p.a].blank || res.truth.tiles[p.b].blank) return false;
  const start: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  for (let ax = 0; ax < 3; ax++) {
    const lo = Math.max(pa[ax], pb[ax]);
    const hi = Math.min(pa[ax], pb[ax]) + tileShape[ax];
    if (tileShape[ax] > 1 && hi - lo < minExtent) return false;
    start[ax] = Math.ceil(lo);
    size[ax] = Math.max(1, Math.floor(hi - start[ax]));
  }
  const cov = res.renderer.coverage(start, size);
  let vessel = 0;
  for (const v of cov) if (v > 0.5) vessel++;
  return vessel >= minVessel * cov.length;
}

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}



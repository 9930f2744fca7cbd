/**
 * Steps 2–3 of a region registration: candidate translations (phase-correlation peaks with their
 * periodic images, and the nominal translation), then the integer hill climb on the NCC and the
 * NCC over the 3^d neighbourhood of the maximum.
 */
import type { Vec3 } from '../geometry/box.js';
import type { PhaseCorrelationResult } from './phase-correlation.js';
import { key3, type NccScorer, type Scored } from './_ncc-scorer.js';

/**
 * Every peak stands for 2 translations per axis (the correlation is periodic in the padded size N:
 * t and t − N), scaled by the block-average factors `f` to full resolution; the nominal translation
 * is a candidate too (a stage that is right needs no peak to be found). `pc` null: nominal only.
 */
export function candidateTranslations(pc: PhaseCorrelationResult | null, f: Vec3, expected: Vec3, active: readonly number[]): Vec3[] {
  const candidates: Vec3[] = [];
  const seen = new Set<string>();
  const add = (t: Vec3): void => {
    const k = key3(t);
    if (seen.has(k)) return;
    seen.add(k);
    candidates.push(t);
  };
  for (const p of pc?.peaks ?? []) {
    const per = [0, 1, 2].map((ax) => (pc!.fftShape[ax] > 1 ? [p.shift[ax], p.shift[ax] - pc!.fftShape[ax]] : [0]));
    for (const z of per[0]) for (const y of per[1]) for (const x of per[2]) add([z * f[0], y * f[1], x * f[2]]);
  }
  const nominal = expected.map((v, ax) => (active.includes(ax) ? Math.round(v) : 0)) as Vec3;
  if (nominal.every(Number.isFinite)) add(nominal);
  return candidates;
}

/** Offsets of the 3^d neighbourhood over the active axes, and the 2d axis steps among them. */
function neighbourSteps(active: readonly number[]): { axis: Vec3[]; all: Vec3[] } {
  const axis: Vec3[] = [];
  const all: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const d: Vec3 = [dz, dy, dx];
        if (!d.every((v, ax) => v === 0 || active.includes(ax))) continue;
        all.push(d);
        if (Math.abs(dz) + Math.abs(dy) + Math.abs(dx) === 1) axis.push(d);
      }
  return { axis, all };
}

/**
 * Integer hill climb on the (local) NCC from `start`, inside the margin: along the axes first (2d
 * scores a step), then over the whole 3^d neighbourhood, which the peak test needs anyway. Undoes
 * the quantisation of the downsampled phase correlation (`slack`: its largest factor).
 */
export function climbToIntegerPeak(scorer: NccScorer, start: Vec3, active: readonly number[], slack: number): Scored {
  let cur: Scored = { t: start, r: scorer.local(start) };
  const steps = neighbourSteps(active);
  const climb = (ds: Vec3[]): boolean => {
    let next: Scored | undefined;
    for (const d of ds) {
      const t: Vec3 = [cur.t[0] + d[0], cur.t[1] + d[1], cur.t[2] + d[2]];
      if (!scorer.within(t, 0)) continue;
      const r = scorer.local(t);
      if (scorer.overlapOk(r) && r.r > (next?.r.r ?? cur.r.r)) next = { t, r };
    }
    if (!next) return false;
    cur = next;
    return true;
  };
  for (let step = 0; step < 4 * slack + 8; step++) {
    if (climb(steps.axis)) continue;
    if (!climb(steps.all)) break;
  }
  return cur;
}

/** The local NCC on the 3^d neighbourhood of `t` (C order over the active axes). */
export function neighbourhoodScores(scorer: NccScorer, t: Vec3, active: readonly number[]): number[] {
  const d = active.length;
  const around: number[] = [];
  for (let idx = 0; idx < 3 ** d; idx++) {
    const u: Vec3 = [...t];
    let r = idx;
    for (let i = d - 1; i >= 0; i--) {
      u[active[i]] += (r % 3) - 1;
      r = Math.floor(r / 3);
    }
    around.push(scorer.local(u).r);
  }
  return around;
}

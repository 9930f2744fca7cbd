// Simulated campaigns with known truth for the optimiser's tests and bench (no images: the pairs
// are made from the true positions directly).
import type { Vec3 } from '../../src/geometry/box.js';
import type { PairRecord } from '../../src/formats/pairs.js';
import type { DisplacementTile } from '../../src/graph/displacement-graph.js';
import { Random } from '../../src/synth/random.js';

export interface SimulationOptions {
  grid: Vec3;
  /** Nominal spacing of the grid (voxels). @default [80, 100, 100] */
  step?: Vec3;
  /** True = nominal ± this per axis (stage error). @default 6 */
  stageError?: number;
  /** Gaussian noise sigma per axis on each measured shift (voxels). @default 0.1 */
  noise?: number;
  /** Fraction of links replaced by wrong shifts. @default 0 */
  wrongFraction?: number;
  /** Magnitude range of the wrong shifts' error (voxels). @default [5, 30] */
  wrongRange?: [number, number];
  /** Tiles whose every pair is rejected (blank overlaps). */
  blank?: string[];
  /** Links crossing this x index boundary (between x = k-1 and x = k) are rejected: two groups. */
  cutAtX?: number;
  seed?: number;
}

export interface Simulation {
  tiles: DisplacementTile[];
  pairs: PairRecord[];
  truth: Map<string, Vec3>;
  /** Keys `a|b` of the links given wrong shifts. */
  wrong: Set<string>;
}

export const linkKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export function simulateCampaign(opts: SimulationOptions): Simulation {
  const { grid, step = [80, 100, 100], stageError = 6, noise = 0.1, wrongFraction = 0, wrongRange = [5, 30], seed = 1 } = opts;
  const rng = new Random(seed);
  const blank = new Set(opts.blank ?? []);
  const tiles: DisplacementTile[] = [];
  const truth = new Map<string, Vec3>();
  const id = (z: number, y: number, x: number) => `t_${z}_${y}_${x}`;
  for (let z = 0; z < grid[0]; z++)
    for (let y = 0; y < grid[1]; y++)
      for (let x = 0; x < grid[2]; x++) {
        const nominal: Vec3 = [z * step[0], y * step[1], x * step[2]];
        tiles.push({ id: id(z, y, x), nominal, shape: [step[0] + 16, step[1] + 16, step[2] + 16] });
        truth.set(id(z, y, x), nominal.map((v) => v + rng.uniform(-stageError, stageError)) as Vec3);
      }
  const pairs: PairRecord[] = [];
  const wrong = new Set<string>();
  for (let z = 0; z < grid[0]; z++)
    for (let y = 0; y < grid[1]; y++)
      for (let x = 0; x < grid[2]; x++)
        for (const [dz, dy, dx] of [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) {
          if (z + dz >= grid[0] || y + dy >= grid[1] || x + dx >= grid[2]) continue;
          const a = id(z, y, x), b = id(z + dz, y + dy, x + dx);
          const ta = truth.get(a)!, tb = truth.get(b)!;
          const nominalShift: Vec3 = [dz * step[0], dy * step[1], dx * step[2]];
          if (blank.has(a) || blank.has(b) || (opts.cutAtX !== undefined && dx === 1 && x + 1 === opts.cutAtX)) {
            pairs.push({ a, b, shift: nominalShift, correlation: rng.uniform(0, 0.2), status: 'rejected', reason: 'low correlation', nominal_shift: nominalShift });
            continue;
          }
          const shift = [0, 1, 2].map((k) => tb[k] - ta[k] + noise * rng.normal()) as Vec3;
          pairs.push({ a, b, shift, correlation: rng.uniform(0.5, 0.95), status: 'ok', overlap: [16, 16, 16], nominal_shift: nominalShift });
        }
  // Exactly round(wrongFraction × measured links) wrong links, chosen at random.
  const measured = pairs.filter((p) => p.status === 'ok');
  for (let i = measured.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [measured[i], measured[j]] = [measured[j], measured[i]];
  }
  for (const p of measured.slice(0, Math.round(wrongFraction * measured.length))) {
    // A wrong peak: a random direction, 5–30 voxels off, and (as false peaks are) a weaker correlation.
    const dir = [rng.normal(), rng.normal(), rng.normal()];
    const len = Math.hypot(dir[0], dir[1], dir[2]);
    const mag = rng.uniform(wrongRange[0], wrongRange[1]);
    p.shift = [0, 1, 2].map((k) => p.shift[k] + (mag * dir[k]) / len) as Vec3;
    p.correlation = rng.uniform(0.3, 0.6);
    wrong.add(linkKey(p.a, p.b));
  }
  return { tiles, pairs, truth, wrong };
}

/** Largest distance of a solved position from truth after removing the mean offset over `ids`. */
export function maxErrorAfterCommonShift(positions: Record<string, { position: Vec3 }>, truth: Map<string, Vec3>, ids?: string[]): number {
  const list = ids ?? [...truth.keys()];
  const mean: Vec3 = [0, 0, 0];
  for (const id of list) for (let k = 0; k < 3; k++) mean[k] += (positions[id].position[k] - truth.get(id)![k]) / list.length;
  let worst = 0;
  for (const id of list) {
    const p = positions[id].position, t = truth.get(id)!;
    worst = Math.max(worst, Math.hypot(p[0] - t[0] - mean[0], p[1] - t[1] - mean[1], p[2] - t[2] - mean[2]));
  }
  return worst;
}

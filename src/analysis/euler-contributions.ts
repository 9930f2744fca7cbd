/**
 * Euler characteristic χ of each labelled component, as a sum of per-voxel contributions, so that
 * it adds up exactly across blocks (each voxel counts in the block whose core holds it).
 *
 * With 26-connectivity a component is the union of its closed unit cubes and χ = V − E + F − C of
 * that cubical complex; with 6-connectivity it is the complex of voxels, face adjacencies, full
 * 2×2 squares and full 2×2×2 cubes. Every cell of either complex is shared by foreground voxels
 * that are all in one component, so each voxel takes an equal share of every cell it touches
 * (split per octant: a vertex belongs to one octant of the voxel, an edge to two, a face to four,
 * the cube to eight). Shares are rationals with denominators dividing 6720 (= 8 · 840), so sums are
 * kept as integers scaled by `EULER_SCALE` and stay exact.
 *
 * For a component, β1 (independent loops, tunnels) = β0 + β2 − χ with β0 = 1 and β2 its cavities
 * (Alexander duality / Euler–Poincaré): 1 − χ when it encloses no cavity.
 */
import type { Vec3 } from '../geometry/box.js';
import type { Connectivity } from './label-components.js';

/** χ contributions are integers in units of 1/EULER_SCALE. */
export const EULER_SCALE = 6720;

/** Octant configuration bit of neighbour (az, ay, ax) ∈ {0,1}³ (0: the voxel itself along that axis). */
const bit = (az: number, ay: number, ax: number) => 1 << (az * 4 + ay * 2 + ax);

function popcount(c: number): number {
  let n = 0;
  for (; c; c &= c - 1) n++;
  return n;
}

/** Closed-cube complex: vertex 1/n, edges −½·1/n each, faces ¼·1/n each, cube −1/8. */
function octantShare26(c: number): number {
  const has = (az: number, ay: number, ax: number) => (c & bit(az, ay, ax) ? 1 : 0);
  let s = EULER_SCALE / popcount(c) - EULER_SCALE / 8;
  // Edge along an axis through the octant's vertex: the 4 voxels varying the two other offsets.
  const ez = has(0, 0, 0) + has(0, 0, 1) + has(0, 1, 0) + has(0, 1, 1);
  const ey = has(0, 0, 0) + has(0, 0, 1) + has(1, 0, 0) + has(1, 0, 1);
  const ex = has(0, 0, 0) + has(0, 1, 0) + has(1, 0, 0) + has(1, 1, 0);
  s -= EULER_SCALE / 2 / ez + EULER_SCALE / 2 / ey + EULER_SCALE / 2 / ex;
  // Face with normal along an axis: the voxel and its neighbour along that axis.
  s += EULER_SCALE / 4 / (1 + has(1, 0, 0)) + EULER_SCALE / 4 / (1 + has(0, 1, 0)) + EULER_SCALE / 4 / (1 + has(0, 0, 1));
  return s;
}

/** Face-adjacency complex: voxel, −½ per adjacency, +¼ per full square, −1/8 per full cube, per octant. */
function octantShare6(c: number): number {
  const has = (az: number, ay: number, ax: number) => (c & bit(az, ay, ax) ? 1 : 0);
  const pairs = has(1, 0, 0) + has(0, 1, 0) + has(0, 0, 1);
  const squares =
    has(1, 0, 0) * has(0, 1, 0) * has(1, 1, 0) + has(1, 0, 0) * has(0, 0, 1) * has(1, 0, 1) + has(0, 1, 0) * has(0, 0, 1) * has(0, 1, 1);
  const cube = c === 255 ? 1 : 0;
  return (EULER_SCALE / 8) * (1 - pairs + squares - cube);
}

const SHARE26 = new Int32Array(256), SHARE6 = new Int32Array(256);
for (let c = 1; c < 256; c += 2) {
  SHARE26[c] = Math.round(octantShare26(c));
  SHARE6[c] = Math.round(octantShare6(c));
}

/**
 * χ · EULER_SCALE of labels 1..count: `labels` cover the core (shape `core.size`), `mask` the box
 * read around it (`readShape`, core at `offset` inside it, at least one voxel of margin wherever
 * the volume continues); outside the box read is background (the volume's edge).
 */
export function eulerContributions(mask: Uint8Array, readShape: Vec3, offset: Vec3, labels: Int32Array, count: number, coreShape: Vec3, connectivity: Connectivity): Float64Array {
  const [rd, rh, rw] = readShape;
  const [cd, ch, cw] = coreShape;
  const table = connectivity === 26 ? SHARE26 : SHARE6;
  const out = new Float64Array(count + 1);
  const nb = new Uint8Array(27);
  for (let z = 0, o = 0; z < cd; z++)
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++, o++) {
        const l = labels[o];
        if (l === 0) continue;
        const gz = z + offset[0], gy = y + offset[1], gx = x + offset[2];
        for (let dz = -1, k = 0; dz <= 1; dz++)
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++, k++) {
              const zz = gz + dz, yy = gy + dy, xx = gx + dx;
              nb[k] = zz < 0 || yy < 0 || xx < 0 || zz >= rd || yy >= rh || xx >= rw ? 0 : mask[(zz * rh + yy) * rw + xx] !== 0 ? 1 : 0;
            }
        let s = 0;
        for (let sz = -1; sz <= 1; sz += 2)
          for (let sy = -1; sy <= 1; sy += 2)
            for (let sx = -1; sx <= 1; sx += 2) {
              let c = 0;
              for (let az = 0; az <= 1; az++)
                for (let ay = 0; ay <= 1; ay++)
                  for (let ax = 0; ax <= 1; ax++) if (nb[(1 + sz * az) * 9 + (1 + sy * ay) * 3 + 1 + sx * ax]) c |= bit(az, ay, ax);
              s += table[c];
            }
        out[l] += s;
      }
  return out;
}

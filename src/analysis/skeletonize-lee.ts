/**
 * Topology-preserving 3-D thinning to a curve skeleton (Lee, Kashyap & Chu 1994, "Building
 * skeleton models via 3-D medial surface/axis thinning algorithms", CVGIP: Graphical Models and
 * Image Processing 56(6):462–478, doi:10.1006/cgip.1994.1042), following the reference
 * implementation of Arganda-Carreras (ImageJ Skeletonize3D, 2015) as scikit-image's
 * `skeletonize_3d` does: the same six border directions in the same order, the same Euler
 * look-up table (Table 2, column δG26), candidates collected per direction and then rechecked
 * sequentially. Loops survive (a point is deleted only if it is simple and Euler invariant), so
 * vessel networks keep their cycles; every connected component keeps at least one voxel.
 *
 * Differences from scikit-image: only the voxels still in the object are scanned (an active list,
 * not the whole array) and simple-point tests use a breadth-first search over a fixed adjacency
 * table of the 26 neighbours instead of the recursive octree labelling (same result: the number of
 * 26-components of the neighbourhood without its centre).
 *
 * Known behaviours of this thinning (documented in docs/analysis.md): it works in voxel index
 * space, so anisotropic voxels shift the medial position (lengths and radii are still measured in
 * µm); objects thicker than they are long (short thick columns, discs) thin to a line across their
 * largest extent or to one voxel, not to their axis. Unlike scikit-image 0.19, no object is erased
 * entirely (see `isSimplePoint`).
 */
import type { Vec3 } from '../geometry/box.js';

/** δG26 Euler characteristic changes for the 128 octant configurations (odd indices). */
const EULER_ODD = [
  1, -1, -1, 1, -3, -1, -1, 1, -1, 1, 1, -1, 3, 1, 1, -1, -3, -1, 3, 1, 1, -1, 3, 1, -1, 1, 1, -1, 3, 1, 1, -1, -3, 3, -1, 1, 1, 3, -1, 1, -1, 1, 1, -1, 3, 1, 1, -1, 1, 3, 3, 1, 5, 3, 3, 1,
  -1, 1, 1, -1, 3, 1, 1, -1, -7, -1, -1, 1, -3, -1, -1, 1, -1, 1, 1, -1, 3, 1, 1, -1, -3, -1, 3, 1, 1, -1, 3, 1, -1, 1, 1, -1, 3, 1, 1, -1, -3, 3, -1, 1, 1, 3, -1, 1, -1, 1, 1, -1, 3,
  1, 1, -1, 1, 3, 3, 1, 5, 3, 3, 1, -1, 1, 1, -1, 3, 1, 1, -1,
];
const EULER_LUT = new Int8Array(256);
for (let i = 0; i < 128; i++) EULER_LUT[2 * i + 1] = EULER_ODD[i];

/**
 * Octant bit tables of the reference implementation: for each octant, the neighbourhood indices
 * that set bits 128, 64, 32, 16, 8, 4, 2. Neighbourhood index = (dz+1)*9 + (dx+1)*3 + (dy+1), as in
 * Skeletonize3D (note x before y).
 */
const OCTANT_LISTS = [
  [2, 1, 11, 10, 5, 4, 14],
  [0, 9, 3, 12, 1, 10, 4],
  [8, 7, 17, 16, 5, 4, 14],
  [6, 15, 7, 16, 3, 12, 4],
  [20, 23, 19, 22, 11, 14, 10],
  [18, 21, 9, 12, 19, 22, 10],
  [26, 23, 17, 14, 25, 22, 16],
  [24, 25, 15, 16, 21, 22, 12],
];

const OCTANTS = Int8Array.from(OCTANT_LISTS.flat());

/** For each of the 27 positions, its 26-adjacent positions inside the cube, centre (13) excluded. */
const CUBE_ADJ: number[][] = [];
for (let i = 0; i < 27; i++) {
  const a = Math.floor(i / 9), b = Math.floor(i / 3) % 3, c = i % 3;
  const list: number[] = [];
  for (let j = 0; j < 27; j++) {
    if (j === i || j === 13) continue;
    const a2 = Math.floor(j / 9), b2 = Math.floor(j / 3) % 3, c2 = j % 3;
    if (Math.abs(a - a2) <= 1 && Math.abs(b - b2) <= 1 && Math.abs(c - c2) <= 1) list.push(j);
  }
  CUBE_ADJ.push(list);
}
/** CUBE_ADJ flattened: neighbours of position i are ADJ[ADJ_START[i] .. ADJ_START[i + 1]). */
const ADJ_START = new Int16Array(28);
for (let i = 0; i < 27; i++) ADJ_START[i + 1] = ADJ_START[i] + CUBE_ADJ[i].length;
const ADJ = Int8Array.from(CUBE_ADJ.flat());

function isEulerInvariant(nb: Uint8Array): boolean {
  let e = 0;
  for (let k = 0; k < 56; k += 7) {
    let n = 1;
    if (nb[OCTANTS[k]]) n |= 128;
    if (nb[OCTANTS[k + 1]]) n |= 64;
    if (nb[OCTANTS[k + 2]]) n |= 32;
    if (nb[OCTANTS[k + 3]]) n |= 16;
    if (nb[OCTANTS[k + 4]]) n |= 8;
    if (nb[OCTANTS[k + 5]]) n |= 4;
    if (nb[OCTANTS[k + 6]]) n |= 2;
    e += EULER_LUT[n];
  }
  return e === 0;
}

const seen = new Uint8Array(27);
const stack = new Int8Array(27);

/**
 * True when the foreground of the neighbourhood without its centre is exactly one 26-component.
 * The reference implementation answers true for zero components too, so its sequential recheck
 * deletes the last voxels of a small or short thick object once its neighbours are gone (two
 * candidates side by side: the first goes, then the second, now isolated, "is simple"): whole
 * components vanish. Requiring one component keeps an isolated voxel.
 */
function isSimplePoint(nb: Uint8Array): boolean {
  seen.fill(0);
  let components = 0;
  for (let i = 0; i < 27; i++) {
    if (i === 13 || nb[i] === 0 || seen[i]) continue;
    if (++components > 1) return false;
    let top = 0;
    stack[top++] = i;
    seen[i] = 1;
    while (top > 0) {
      const p = stack[--top];
      const end = ADJ_START[p + 1];
      for (let t = ADJ_START[p]; t < end; t++) {
        const q = ADJ[t];
        if (nb[q] !== 0 && !seen[q]) {
          seen[q] = 1;
          stack[top++] = q;
        }
      }
    }
  }
  return components === 1;
}

/**
 * Thin a binary volume to its curve skeleton. Returns a new mask (1 on the skeleton).
 * The input is not modified; outside the array counts as background.
 */
export function skeletonizeLee(mask: Uint8Array, shape: Vec3): Uint8Array {
  const [d, h, w] = shape;
  // Pad by one voxel of background so neighbourhood reads need no bounds checks.
  const P: Vec3 = [d + 2, h + 2, w + 2];
  const sy = P[2], sz = P[1] * P[2];
  const img = new Uint8Array(P[0] * sz);
  let active = new Int32Array(1024);
  let na = 0;
  for (let z = 0, o = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, o++) {
        if (mask[o] === 0) continue;
        const p = (z + 1) * sz + (y + 1) * sy + (x + 1);
        img[p] = 1;
        if (na === active.length) {
          const a = new Int32Array(active.length * 2);
          a.set(active);
          active = a;
        }
        active[na++] = p;
      }
  // Neighbourhood offsets in Skeletonize3D order: index (dz+1)*9 + (dx+1)*3 + (dy+1).
  const off = new Int32Array(27);
  for (let dz = -1; dz <= 1; dz++)
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++) off[(dz + 1) * 9 + (dx + 1) * 3 + (dy + 1)] = dz * sz + dy * sy + dx;
  const nb = new Uint8Array(27);
  const gather = (p: number) => {
    for (let i = 0; i < 27; i++) nb[i] = img[p + off[i]];
  };
  const flat = d === 1;
  // Border directions in the reference order [W, E, S, N, U, B] = the voxel in direction dir is 0.
  const borderOffset = [-sy, sy, 1, -1, sz, -sz];
  const borders = flat ? 4 : 6;
  let candidates = new Int32Array(1024);
  let unchanged = 0;
  while (unchanged < borders) {
    unchanged = 0;
    for (let b = 0; b < borders; b++) {
      const bo = borderOffset[b];
      let nc = 0;
      for (let i = 0; i < na; i++) {
        const p = active[i];
        if (img[p + bo] !== 0) continue;
        gather(p);
        let s = 0;
        for (let k = 0; k < 27; k++) s += nb[k];
        if (s === 2) continue; // an endpoint: keeps branches from shrinking
        if (!isEulerInvariant(nb) || !isSimplePoint(nb)) continue;
        if (nc === candidates.length) {
          const a = new Int32Array(candidates.length * 2);
          a.set(candidates);
          candidates = a;
        }
        candidates[nc++] = p;
      }
      let changed = false;
      for (let i = 0; i < nc; i++) {
        const p = candidates[i];
        gather(p);
        // Recheck every condition, not only simplicity as the reference does: neighbours deleted
        // earlier in this pass can have made p an endpoint, and deleting endpoints one after the
        // other in raster order erases whole thick cylinders (scikit-image 0.19 returns an empty
        // skeleton for a 35-voxel-long cylinder of radius 2.5).
        let s = 0;
        for (let k = 0; k < 27; k++) s += nb[k];
        if (s !== 2 && isEulerInvariant(nb) && isSimplePoint(nb)) {
          img[p] = 0;
          changed = true;
        }
      }
      if (!changed) unchanged++;
      else {
        let k = 0;
        for (let i = 0; i < na; i++) if (img[active[i]] !== 0) active[k++] = active[i];
        na = k;
      }
    }
  }
  const out = new Uint8Array(d * h * w);
  for (let i = 0; i < na; i++) {
    const p = active[i];
    const z = Math.floor(p / sz) - 1, r = p % sz, y = Math.floor(r / sy) - 1, x = (r % sy) - 1;
    out[(z * h + y) * w + x] = 1;
  }
  return out;
}

/**
 * 3-D connected-component labelling, 6- or 26-connectivity: the classic two-pass algorithm with
 * union-find over provisional labels (Rosenfeld & Pfaltz 1966, "Sequential operations in digital
 * picture processing", J. ACM 13(4):471–494, doi:10.1145/321356.321357; equivalences resolved with
 * union-find as in Wu, Otoo & Suzuki 2009, "Optimizing two-pass connected-component labeling
 * algorithms", Pattern Anal. Appl. 12:117–135, doi:10.1007/s10044-008-0109-y).
 *
 * The 26-connected scan uses the neighbour of the previous voxel along x: when it is foreground,
 * nine of the thirteen already-visited neighbours are its neighbours too (already joined), so only
 * the four ahead along x need a union. Labels are numbered 1..n in raster order of each
 * component's first voxel (the order scipy.ndimage.label uses), 0 is background.
 */
import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import { findRoot, unionRoots } from './_union-find.js';

export type Connectivity = 6 | 26;

export interface LabelResult {
  labels: Int32Array;
  /** Number of components (labels are 1..count). */
  count: number;
}

/**
 * Label the foreground (non-zero) voxels of `mask` (C-order, shape z, y, x).
 * @param connectivity 6 (faces) or 26 (faces, edges, corners). @default 26
 */
export function labelComponents(mask: Uint8Array, shape: Vec3, connectivity: Connectivity = 26): LabelResult {
  const [d, h, w] = shape;
  const n = d * h * w;
  if (mask.length !== n) throw new StitchgraphError('InputError', `Cannot label: mask has ${mask.length} voxels, shape [${shape}] needs ${n}`);
  if (connectivity !== 6 && connectivity !== 26) throw new StitchgraphError('InputError', `Cannot label: connectivity must be 6 or 26, not ${String(connectivity)}`);
  const labels = new Int32Array(n);
  let parent = new Int32Array(Math.max(16, Math.min(n + 1, 1 << 16)));
  let next = 1;
  const sy = w, sz = h * w;
  // Background is skipped four voxels at a time where the mask's bytes allow a 32-bit view.
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, n >>> 2) : new Uint32Array(0);
  const nw = words.length;
  const grow = () => {
    const p = new Int32Array(Math.min(n + 1, parent.length * 2));
    p.set(parent);
    parent = p;
  };

  if (connectivity === 6) {
    for (let z = 0, o = 0; z < d; z++)
      for (let y = 0; y < h; y++) {
        const up = y > 0, back = z > 0;
        let prev = 0; // label of the left neighbour (0: background or row start)
        for (let x = 0; x < w; x++, o++) {
          if (mask[o] === 0) {
            prev = 0;
            if ((o & 3) === 0 && x + 4 <= w && o >>> 2 < nw && words[o >>> 2] === 0) {
              o += 3;
              x += 3;
            }
            continue;
          }
          let l = prev;
          // When the voxel diagonal between the left and the upper (or back) neighbour is
          // foreground, those two are already joined through it: no union needed.
          if (up) {
            const m = labels[o - sy];
            if (m !== 0 && !(l !== 0 && labels[o - sy - 1] !== 0)) l = l === 0 ? m : l === m ? l : unionRoots(parent, l, m);
          }
          if (back) {
            const m = labels[o - sz];
            if (m !== 0 && !(prev !== 0 && labels[o - sz - 1] !== 0)) l = l === 0 ? m : l === m ? l : unionRoots(parent, l, m);
          }
          if (l === 0) {
            if (next >= parent.length) grow();
            parent[next] = next;
            l = next++;
          }
          labels[o] = l;
          prev = l;
        }
      }
  } else {
    for (let z = 0, o = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++, o++) {
          if (mask[o] === 0) {
            if ((o & 3) === 0 && x + 4 <= w && o >>> 2 < nw && words[o >>> 2] === 0) {
              o += 3;
              x += 3;
            }
            continue;
          }
          const xl = x > 0, xr = x < w - 1, yu = y > 0, yd = y < h - 1, zb = z > 0;
          let l = 0;
          // Joins label m into the running label l (m may be 0: nothing to join).
          const left = xl ? labels[o - 1] : 0;
          if (left !== 0) {
            l = left;
            // Only the neighbours at x+1 are not also neighbours of the left voxel.
            if (xr) {
              let m: number;
              if (yu && (m = labels[o - sy + 1]) !== 0 && m !== l) l = unionRoots(parent, l, m);
              if (zb) {
                const b = o - sz + 1;
                if (yu && (m = labels[b - sy]) !== 0 && m !== l) l = unionRoots(parent, l, m);
                if ((m = labels[b]) !== 0 && m !== l) l = unionRoots(parent, l, m);
                if (yd && (m = labels[b + sy]) !== 0 && m !== l) l = unionRoots(parent, l, m);
              }
            }
          } else {
            let m: number;
            if (yu) {
              const b = o - sy;
              if (xl && (m = labels[b - 1]) !== 0) l = l === 0 ? m : m === l ? l : unionRoots(parent, l, m);
              if ((m = labels[b]) !== 0) l = l === 0 ? m : m === l ? l : unionRoots(parent, l, m);
              if (xr && (m = labels[b + 1]) !== 0) l = l === 0 ? m : m === l ? l : unionRoots(parent, l, m);
            }
            if (zb) {
              for (let dy = -1; dy <= 1; dy++) {
                if ((dy < 0 && !yu) || (dy > 0 && !yd)) continue;
                const b = o - sz + dy * sy;
                if (xl && (m = labels[b - 1]) !== 0) l = l === 0 ? m : m === l ? l : unionRoots(parent, l, m);
                if ((m = labels[b]) !== 0) l = l === 0 ? m : m === l ? l : unionRoots(parent, l, m);
                if (xr && (m = labels[b + 1]) !== 0) l = l === 0 ? m : m === l ? l : unionRoots(parent, l, m);
              }
            }
          }
          if (l === 0) {
            if (next >= parent.length) grow();
            parent[next] = next;
            l = next++;
          }
          labels[o] = l;
        }
  }

  // Roots are the smallest label of their set, so one increasing sweep numbers them in raster order.
  const final = new Int32Array(next);
  let count = 0;
  for (let i = 1; i < next; i++) {
    const p = parent[i];
    final[i] = p === i ? ++count : final[findRoot(parent, p)];
  }
  for (let o = 0; o < n; o++) {
    if (mask[o] === 0) {
      if ((o & 3) === 0 && o >>> 2 < nw && words[o >>> 2] === 0) o += 3;
      continue;
    }
    labels[o] = final[labels[o]];
  }
  return { labels, count };
}

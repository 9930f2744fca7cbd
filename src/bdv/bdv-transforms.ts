import type { Vec3 } from '../geometry/box.js';
import type { Affine3D, SpimViewTransform } from './spimdata-xml.js';

/**
 * BigStitcher's pair of transforms for a tile at `position` (z, y, x, global voxels): the
 * calibration (voxel size over the finest voxel size, so world units are finest voxels, as
 * BigStitcher sets it up) applied first, then the translation, in calibrated units. Outermost
 * first, as in the XML.
 */
export function bdvTileTransforms(position: Vec3, voxelSize: Vec3): SpimViewTransform[] {
  const finest = Math.min(...voxelSize);
  const c = [voxelSize[2] / finest, voxelSize[1] / finest, voxelSize[0] / finest]; // x, y, z
  const p = [position[2], position[1], position[0]];
  return [
    { name: 'stitchgraph positions', affine: [1, 0, 0, p[0] * c[0], 0, 1, 0, p[1] * c[1], 0, 0, 1, p[2] * c[2]] },
    { name: 'calibration', affine: [c[0], 0, 0, 0, 0, c[1], 0, 0, 0, 0, c[2], 0] },
  ];
}

/** a ∘ b: apply b, then a. */
export function composeAffine(a: Affine3D, b: Affine3D): Affine3D {
  const out = new Array<number>(12).fill(0) as Affine3D;
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      let v = c === 3 ? a[r * 4 + 3] : 0;
      for (let k = 0; k < 3; k++) v += a[r * 4 + k] * b[k * 4 + c];
      out[r * 4 + c] = v;
    }
  }
  return out;
}

/** Solve L x = t for the 3×3 linear part L of an affine (Cramer's rule); null when L is singular. */
export function solveLinear(m: Affine3D, t: [number, number, number]): [number, number, number] | null {
  const L = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const det3 = (x: number[]) => x[0] * (x[4] * x[8] - x[5] * x[7]) - x[1] * (x[3] * x[8] - x[5] * x[6]) + x[2] * (x[3] * x[7] - x[4] * x[6]);
  const d = det3(L);
  if (Math.abs(d) < 1e-12) return null;
  const col = (i: number) => {
    const x = [...L];
    for (let r = 0; r < 3; r++) x[r * 3 + i] = t[r];
    return det3(x) / d;
  };
  return [col(0), col(1), col(2)];
}

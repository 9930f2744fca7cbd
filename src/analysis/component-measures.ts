/**
 * Per-component shape measures, accumulated block by block and merged exactly.
 *
 * Each block records, per label, the voxel count, mean position and centred second moments
 * (merged across blocks with the pairwise update of Chan, Golub & LeVeque 1979, "Updating formulae
 * and a pairwise algorithm for computing sample variances", STAN-CS-79-773), the bounding box,
 * the number of exposed voxel faces along each axis and the smallest linear index (which orders
 * components as a raster scan of the whole volume would).
 *
 * Surface area: exposed faces weighted by their area in µm², times 2/3. Counting faces measures
 * ∫(|n_z| + |n_y| + |n_x|) dA, whose mean over orientations is 3/2 of the area (Cauchy's projection
 * formula), so 2/3 makes the estimate unbiased for smooth, randomly oriented surfaces; it
 * underestimates axis-aligned boxes by that factor. Ellipsoid radii: for a solid ellipsoid the
 * variance along a semi-axis a is a²/5, so a = √(5 λ) from the eigenvalues λ of the covariance (µm²).
 * Sphericity: π^(1/3) (6 V)^(2/3) / A (1 for a sphere, Wadell 1935).
 */
import type { Vec3 } from '../geometry/box.js';
import { eigenSymmetric3 } from './_eigen-symmetric3.js';

/** Numbers per label in a stats table. */
export const STAT_STRIDE = 20;
// Layout: 0 n, 1-3 mean z y x, 4-9 M2 zz yy xx zy zx yx, 10-12 bbox min, 13-15 bbox max, 16-18 faces z y x, 19 first index.

/**
 * Stats of labels 1..count of `labels` (the block's core, at global `origin`, shape `core`);
 * `fg(z, y, x)` tells whether a voxel just outside the core (global coordinates) is foreground.
 */
export function blockComponentStats(labels: Int32Array, count: number, core: Vec3, origin: Vec3, volumeShape: Vec3, fg: (z: number, y: number, x: number) => boolean): Float64Array {
  const [d, h, w] = core;
  const st = new Float64Array((count + 1) * STAT_STRIDE);
  for (let l = 1; l <= count; l++) {
    const b = l * STAT_STRIDE;
    st[b + 10] = st[b + 11] = st[b + 12] = Infinity;
    st[b + 13] = st[b + 14] = st[b + 15] = -Infinity;
    st[b + 19] = Infinity;
  }
  // Raw sums relative to the block origin (small numbers, exact), centred afterwards.
  const s = new Float64Array((count + 1) * 9);
  const sy = w, sz = h * w;
  const outside = (gz: number, gy: number, gx: number) =>
    gz >= 0 && gz < volumeShape[0] && gy >= 0 && gy < volumeShape[1] && gx >= 0 && gx < volumeShape[2] && fg(gz, gy, gx);
  for (let z = 0, o = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, o++) {
        const l = labels[o];
        if (l === 0) continue;
        const b = l * STAT_STRIDE, q = l * 9;
        st[b]++;
        s[q] += z;
        s[q + 1] += y;
        s[q + 2] += x;
        s[q + 3] += z * z;
        s[q + 4] += y * y;
        s[q + 5] += x * x;
        s[q + 6] += z * y;
        s[q + 7] += z * x;
        s[q + 8] += y * x;
        const gz = origin[0] + z, gy = origin[1] + y, gx = origin[2] + x;
        if (gz < st[b + 10]) st[b + 10] = gz;
        if (gy < st[b + 11]) st[b + 11] = gy;
        if (gx < st[b + 12]) st[b + 12] = gx;
        if (gz > st[b + 13]) st[b + 13] = gz;
        if (gy > st[b + 14]) st[b + 14] = gy;
        if (gx > st[b + 15]) st[b + 15] = gx;
        const gi = (gz * volumeShape[1] + gy) * volumeShape[2] + gx;
        if (gi < st[b + 19]) st[b + 19] = gi;
        // Exposed faces; inside the core the label map says it, outside ask `fg`.
        if (!(z > 0 ? labels[o - sz] !== 0 : outside(gz - 1, gy, gx))) st[b + 16]++;
        if (!(z < d - 1 ? labels[o + sz] !== 0 : outside(gz + 1, gy, gx))) st[b + 16]++;
        if (!(y > 0 ? labels[o - sy] !== 0 : outside(gz, gy - 1, gx))) st[b + 17]++;
        if (!(y < h - 1 ? labels[o + sy] !== 0 : outside(gz, gy + 1, gx))) st[b + 17]++;
        if (!(x > 0 ? labels[o - 1] !== 0 : outside(gz, gy, gx - 1))) st[b + 18]++;
        if (!(x < w - 1 ? labels[o + 1] !== 0 : outside(gz, gy, gx + 1))) st[b + 18]++;
      }
  for (let l = 1; l <= count; l++) {
    const b = l * STAT_STRIDE, q = l * 9, n = st[b];
    const mz = s[q] / n, my = s[q + 1] / n, mx = s[q + 2] / n;
    st[b + 1] = origin[0] + mz;
    st[b + 2] = origin[1] + my;
    st[b + 3] = origin[2] + mx;
    st[b + 4] = s[q + 3] - n * mz * mz;
    st[b + 5] = s[q + 4] - n * my * my;
    st[b + 6] = s[q + 5] - n * mx * mx;
    st[b + 7] = s[q + 6] - n * mz * my;
    st[b + 8] = s[q + 7] - n * mz * mx;
    st[b + 9] = s[q + 8] - n * my * mx;
  }
  return st;
}

/** Merge the stats record at `src[si..]` into `dst[di..]` (both STAT_STRIDE long). */
export function mergeStats(dst: Float64Array, di: number, src: ArrayLike<number>, si: number): void {
  const na = dst[di], nb = src[si];
  if (nb === 0) return;
  if (na === 0) {
    for (let k = 0; k < STAT_STRIDE; k++) dst[di + k] = src[si + k];
    return;
  }
  const n = na + nb, f = (na * nb) / n;
  const dz = src[si + 1] - dst[di + 1], dy = src[si + 2] - dst[di + 2], dx = src[si + 3] - dst[di + 3];
  dst[di + 4] += src[si + 4] + dz * dz * f;
  dst[di + 5] += src[si + 5] + dy * dy * f;
  dst[di + 6] += src[si + 6] + dx * dx * f;
  dst[di + 7] += src[si + 7] + dz * dy * f;
  dst[di + 8] += src[si + 8] + dz * dx * f;
  dst[di + 9] += src[si + 9] + dy * dx * f;
  dst[di + 1] += (dz * nb) / n;
  dst[di + 2] += (dy * nb) / n;
  dst[di + 3] += (dx * nb) / n;
  dst[di] = n;
  for (let k = 10; k < 13; k++) dst[di + k] = Math.min(dst[di + k], src[si + k]);
  for (let k = 13; k < 16; k++) dst[di + k] = Math.max(dst[di + k], src[si + k]);
  for (let k = 16; k < 19; k++) dst[di + k] += src[si + k];
  dst[di + 19] = Math.min(dst[di + 19], src[si + 19]);
}

/** One row of components.csv. */
export interface ComponentRow {
  label: number;
  voxels: number;
  volume_um3: number;
  surface_um2: number;
  centroid_z: number;
  centroid_y: number;
  centroid_x: number;
  bbox_z0: number;
  bbox_y0: number;
  bbox_x0: number;
  bbox_z1: number;
  bbox_y1: number;
  bbox_x1: number;
  /** Ellipsoid semi-axes (µm), largest first. */
  radius_major_um: number;
  radius_mid_um: number;
  radius_minor_um: number;
  /** Direction (z, y, x) of the major axis, unit vector in µm space. */
  axis_major_z: number;
  axis_major_y: number;
  axis_major_x: number;
  sphericity: number;
}

/** Final measures of one merged stats record; bbox is inclusive start, exclusive end (voxels). */
export function componentRow(label: number, st: ArrayLike<number>, b: number, voxelSize: Vec3): ComponentRow {
  const [vz, vy, vx] = voxelSize;
  const n = st[b];
  const cov = [st[b + 4] * vz * vz, st[b + 7] * vz * vy, st[b + 8] * vz * vx, 0, st[b + 5] * vy * vy, st[b + 9] * vy * vx, 0, 0, st[b + 6] * vx * vx].map((v) => v / n);
  cov[3] = cov[1];
  cov[6] = cov[2];
  cov[7] = cov[5];
  const { values, vectors } = eigenSymmetric3(cov);
  const volume = n * vz * vy * vx;
  const surface = (2 / 3) * (st[b + 16] * vy * vx + st[b + 17] * vz * vx + st[b + 18] * vz * vy);
  return {
    label,
    voxels: n,
    volume_um3: volume,
    surface_um2: surface,
    centroid_z: st[b + 1],
    centroid_y: st[b + 2],
    centroid_x: st[b + 3],
    bbox_z0: st[b + 10],
    bbox_y0: st[b + 11],
    bbox_x0: st[b + 12],
    bbox_z1: st[b + 13] + 1,
    bbox_y1: st[b + 14] + 1,
    bbox_x1: st[b + 15] + 1,
    radius_major_um: Math.sqrt(5 * Math.max(0, values[0])),
    radius_mid_um: Math.sqrt(5 * Math.max(0, values[1])),
    radius_minor_um: Math.sqrt(5 * Math.max(0, values[2])),
    axis_major_z: vectors[0],
    axis_major_y: vectors[3],
    axis_major_x: vectors[6],
    sphericity: surface > 0 ? (Math.cbrt(Math.PI) * Math.pow(6 * volume, 2 / 3)) / surface : NaN,
  };
}

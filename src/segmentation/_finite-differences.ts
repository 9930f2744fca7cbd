/**
 * First and second derivatives of a smoothed volume by central differences, in physical units
 * (per µm along each axis from the voxel size), edges clamped. Applied after a Gaussian they give
 * the derivative-of-Gaussian responses that pixel features and vesselness are built from.
 */
import type { Vec3 } from '../geometry/box.js';

/** ∂/∂z, ∂/∂y, ∂/∂x of `g` (shape z, y, x), in value per µm. */
export function gradient(g: Float32Array, shape: Vec3, voxelSize: Vec3, fromAxis = 0): [Float32Array, Float32Array, Float32Array] {
  const [d, h, w] = shape;
  // Axes before `fromAxis` are not needed by the caller (symmetric Hessian entries): left empty.
  const gz = new Float32Array(fromAxis <= 0 ? g.length : 0), gy = new Float32Array(fromAxis <= 1 ? g.length : 0), gx = new Float32Array(g.length);
  const sz = h * w;
  for (let z = 0, o = 0; z < d; z++) {
    const zm = z > 0 ? -sz : 0, zp = z < d - 1 ? sz : 0;
    const fz = zp - zm > 0 ? 1 / (((zp - zm) / sz) * voxelSize[0]) : 0;
    for (let y = 0; y < h; y++) {
      const ym = y > 0 ? -w : 0, yp = y < h - 1 ? w : 0;
      const fy = yp - ym > 0 ? 1 / (((yp - ym) / w) * voxelSize[1]) : 0;
      for (let x = 0; x < w; x++, o++) {
        const xm = x > 0 ? -1 : 0, xp = x < w - 1 ? 1 : 0;
        if (fromAxis <= 0) gz[o] = (g[o + zp] - g[o + zm]) * fz;
        if (fromAxis <= 1) gy[o] = (g[o + yp] - g[o + ym]) * fy;
        gx[o] = xp - xm > 0 ? (g[o + xp] - g[o + xm]) / ((xp - xm) * voxelSize[2]) : 0;
      }
    }
  }
  return [gz, gy, gx];
}

/** The six Hessian entries (zz, zy, zx, yy, yx, xx) at every voxel, in value per µm², from the gradient. */
export function hessianFromGradient(grad: [Float32Array, Float32Array, Float32Array], shape: Vec3, voxelSize: Vec3): Float32Array[] {
  const [gz, gy, gx] = grad;
  const [hzz, hzy, hzx] = gradient(gz, shape, voxelSize);
  const [, hyy, hyx] = gradient(gy, shape, voxelSize, 1);
  const [, , hxx] = gradient(gx, shape, voxelSize, 2);
  return [hzz, hzy, hzx, hyy, hyx, hxx];
}

/** The six Hessian entries (zz, zy, zx, yy, yx, xx) at every voxel, in value per µm². */
export function hessian(g: Float32Array, shape: Vec3, voxelSize: Vec3): Float32Array[] {
  return hessianFromGradient(gradient(g, shape, voxelSize), shape, voxelSize);
}

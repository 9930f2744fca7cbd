const SQRT3 = Math.sqrt(3);

/**
 * Eigenvalues of a symmetric 3×3 matrix in closed form (Smith 1961, "Eigenvalues of a symmetric
 * 3 × 3 matrix", Commun. ACM 4(4):168, doi:10.1145/355578.366316), written into `out` at `o`
 * in ascending order. Closed form rather than an iterative solver: it runs once per voxel per
 * scale, tens of millions of times per block.
 */
export function symmetricEigenvalues(a: number, b: number, c: number, d: number, e: number, f: number, out: Float32Array, o: number): void {
  // Matrix [[a, b, c], [b, d, e], [c, e, f]].
  const p1 = b * b + c * c + e * e;
  const q = (a + d + f) / 3;
  const a0 = a - q, d0 = d - q, f0 = f - q;
  const p2 = a0 * a0 + d0 * d0 + f0 * f0 + 2 * p1;
  if (p2 <= 1e-30) {
    out[o] = out[o + 1] = out[o + 2] = q;
    return;
  }
  const p = Math.sqrt(p2 / 6);
  const ip = 1 / p;
  const B00 = a0 * ip, B11 = d0 * ip, B22 = f0 * ip, B01 = b * ip, B02 = c * ip, B12 = e * ip;
  const det = B00 * (B11 * B22 - B12 * B12) - B01 * (B01 * B22 - B12 * B02) + B02 * (B01 * B12 - B11 * B02);
  let r = det / 2;
  if (r < -1) r = -1;
  else if (r > 1) r = 1;
  // cos(φ + 2π/3) from cos φ and sin φ: one trigonometric call fewer per matrix.
  const cp = Math.cos(Math.acos(r) / 3);
  const sp = Math.sqrt(Math.max(0, 1 - cp * cp));
  const hi = q + 2 * p * cp;
  const lo = q - p * (cp + SQRT3 * sp);
  out[o] = lo;
  out[o + 1] = 3 * q - hi - lo;
  out[o + 2] = hi;
}

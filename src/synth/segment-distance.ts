import type { Vec3 } from '../geometry/box.js';

/** Squared distance from point p to segment [a, b]. */
export function pointSegmentDist2(pz: number, py: number, px: number, a: Vec3, b: Vec3): number {
  const dz = b[0] - a[0], dy = b[1] - a[1], dx = b[2] - a[2];
  const len2 = dz * dz + dy * dy + dx * dx;
  let t = len2 > 0 ? ((pz - a[0]) * dz + (py - a[1]) * dy + (px - a[2]) * dx) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const qz = a[0] + t * dz - pz, qy = a[1] + t * dy - py, qx = a[2] + t * dx - px;
  return qz * qz + qy * qy + qx * qx;
}

/** Minimum distance between segments [p1, q1] and [p2, q2] (Ericson, Real-Time Collision Detection, 5.1.9). */
export function segmentSegmentDistance(p1: Vec3, q1: Vec3, p2: Vec3, q2: Vec3): number {
  const d1 = [q1[0] - p1[0], q1[1] - p1[1], q1[2] - p1[2]];
  const d2 = [q2[0] - p2[0], q2[1] - p2[1], q2[2] - p2[2]];
  const r = [p1[0] - p2[0], p1[1] - p2[1], p1[2] - p2[2]];
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  const a = dot(d1, d1), e = dot(d2, d2), f = dot(d2, r);
  const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
  let s: number, t: number;
  if (a <= 1e-12 && e <= 1e-12) {
    s = t = 0;
  } else if (a <= 1e-12) {
    s = 0;
    t = clamp(f / e);
  } else {
    const c = dot(d1, r);
    if (e <= 1e-12) {
      t = 0;
      s = clamp(-c / a);
    } else {
      const b = dot(d1, d2);
      const denom = a * e - b * b;
      s = denom > 1e-12 ? clamp((b * f - c * e) / denom) : 0;
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = clamp(-c / a);
      } else if (t > 1) {
        t = 1;
        s = clamp((b - c) / a);
      }
    }
  }
  const c1 = [p1[0] + d1[0] * s, p1[1] + d1[1] * s, p1[2] + d1[2] * s];
  const c2 = [p2[0] + d2[0] * t, p2[1] + d2[1] * t, p2[2] + d2[2] * t];
  return Math.hypot(c1[0] - c2[0], c1[1] - c2[1], c1[2] - c2[2]);
}

import type { Vec3 } from '../geometry/box.js';

/** Shape of a pyramid level: ceil(tile shape / factors) per axis. */
export function shapeAtFactors(shape: Vec3, factors: Vec3): Vec3 {
  return shape.map((s, a) => Math.ceil(s / factors[a])) as Vec3;
}

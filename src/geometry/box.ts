/** A triple along (z, y, x). */
export type Vec3 = [number, number, number];

/** An axis-aligned box: integer voxel start (inclusive) and size, along (z, y, x). */
export interface Box3 {
  start: Vec3;
  size: Vec3;
}

export function boxEnd(b: Box3): Vec3 {
  return [b.start[0] + b.size[0], b.start[1] + b.size[1], b.start[2] + b.size[2]];
}

export function boxVoxels(b: Box3): number {
  return b.size[0] * b.size[1] * b.size[2];
}

/** Intersection of two boxes, or undefined when they do not overlap. */
export function intersectBoxes(a: Box3, b: Box3): Box3 | undefined {
  const start: Vec3 = [0, 0, 0];
  const size: Vec3 = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const s = Math.max(a.start[i], b.start[i]);
    const e = Math.min(a.start[i] + a.size[i], b.start[i] + b.size[i]);
    if (e <= s) return undefined;
    start[i] = s;
    size[i] = e - s;
  }
  return { start, size };
}

/** Clip a box to [0, shape). */
export function clipBox(b: Box3, shape: Vec3): Box3 | undefined {
  return intersectBoxes(b, { start: [0, 0, 0], size: shape });
}

export function translateBox(b: Box3, by: Vec3): Box3 {
  return { start: [b.start[0] + by[0], b.start[1] + by[1], b.start[2] + by[2]], size: [...b.size] };
}

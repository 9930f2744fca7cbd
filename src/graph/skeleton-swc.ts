import type { Vec3 } from '../geometry/box.js';
import { frameFields, type ImageFrame } from './skeleton-attributes.js';
import { SkeletonVoxelHash } from './skeleton-voxel-hash.js';

/** A part of an SWC file written piece by piece (whole connected pieces of the skeleton). */
export interface SwcPart {
  /** Id of the first sample. @default 1 */
  firstId?: number;
  /** Write the header lines. @default true */
  header?: boolean;
}

/**
 * SWC of a skeleton (Cannon et al. 1998, J. Neurosci. Methods 84:49–54,
 * doi:10.1016/S0165-0270(98)00091-0), line by line: one sample per skeleton voxel,
 * `id type x y z radius parent`, coordinates in µm of the image frame (origin + index × voxel
 * size, as `*_um` in nodes.csv) and radii in µm, type 0 (undefined); the frame is in the header.
 * SWC describes trees: the samples follow a breadth-first spanning forest of the 26-connected
 * skeleton, so each loop loses one of its links (the graph files keep them); every tree's root
 * has parent −1.
 */
export function* skeletonSwcLines(indices: ArrayLike<number>, radii: ArrayLike<number>, shape: Vec3, frame: ImageFrame, part: SwcPart = {}): Generator<string> {
  const [, h, w] = shape;
  const [vz, vy, vx] = frame.voxelSize, [oz, oy, ox] = frame.originUm;
  const n = indices.length;
  const where = new SkeletonVoxelHash(indices);
  const id = new Int32Array(n);
  const parent = new Int32Array(n);
  const queue = new Int32Array(n);
  if (part.header ?? true) {
    yield '# stitchgraph skeleton: id type x y z radius parent (µm, image frame: origin + voxel index × voxel size)';
    yield `# ${frameFields(frame).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  }
  let next = part.firstId ?? 1;
  for (let s = 0; s < n; s++) {
    if (id[s] !== 0) continue;
    let head = 0, tail = 0;
    queue[tail++] = s;
    id[s] = next++;
    parent[s] = -1;
    while (head < tail) {
      const i = queue[head++];
      const v = indices[i];
      const x = v % w, r = (v - x) / w, y = r % h, z = (r - y) / h;
      yield `${id[i]} 0 ${(ox + x * vx).toFixed(3)} ${(oy + y * vy).toFixed(3)} ${(oz + z * vz).toFixed(3)} ${(+radii[i]).toFixed(3)} ${parent[i]}`;
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            if (dz === 0 && dy === 0 && dx === 0) continue;
            const zz = z + dz, yy = y + dy, xx = x + dx;
            if (zz < 0 || yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
            const j = where.get((zz * h + yy) * w + xx);
            if (j < 0 || id[j] !== 0) continue;
            id[j] = next++;
            parent[j] = id[i];
            queue[tail++] = j;
          }
    }
  }
}

/** The whole SWC as one string (small skeletons, tests). `voxelSize` alone: origin 0. */
export function skeletonSwc(indices: ArrayLike<number>, radii: ArrayLike<number>, shape: Vec3, voxelSize: Vec3, originUm: Vec3 = [0, 0, 0]): string {
  return [...skeletonSwcLines(indices, radii, shape, { voxelSize, originUm }), ''].join('\n');
}

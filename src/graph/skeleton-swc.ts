import type { Vec3 } from '../geometry/box.js';

/**
 * SWC of a skeleton (Cannon et al. 1998, J. Neurosci. Methods 84:49–54,
 * doi:10.1016/S0165-0270(98)00091-0): one sample per skeleton voxel, `id type x y z radius parent`,
 * coordinates and radii in µm, type 0 (undefined). SWC describes trees: the samples follow a
 * breadth-first spanning forest of the 26-connected skeleton, so each loop loses one of its links
 * (the graph files keep them); every tree's root has parent −1.
 */
export function skeletonSwc(indices: ArrayLike<number>, radii: ArrayLike<number>, shape: Vec3, voxelSize: Vec3): string {
  const [, h, w] = shape;
  const n = indices.length;
  const where = new Map<number, number>();
  for (let i = 0; i < n; i++) where.set(indices[i], i);
  const id = new Int32Array(n);
  const lines: string[] = ['# stitchgraph skeleton: id type x y z radius parent (µm)'];
  let next = 1;
  const queue = new Int32Array(n);
  const coords = (i: number) => {
    const v = indices[i];
    const x = v % w, r = (v - x) / w, y = r % h, z = (r - y) / h;
    return [z, y, x];
  };
  for (let s = 0; s < n; s++) {
    if (id[s] !== 0) continue;
    let head = 0, tail = 0;
    queue[tail++] = s;
    id[s] = next++;
    const parentOf = new Map<number, number>([[s, -1]]);
    while (head < tail) {
      const i = queue[head++];
      const [z, y, x] = coords(i);
      lines.push(`${id[i]} 0 ${(x * voxelSize[2]).toFixed(3)} ${(y * voxelSize[1]).toFixed(3)} ${(z * voxelSize[0]).toFixed(3)} ${(+radii[i]).toFixed(3)} ${parentOf.get(i)}`);
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            if (dz === 0 && dy === 0 && dx === 0) continue;
            const zz = z + dz, yy = y + dy, xx = x + dx;
            if (zz < 0 || yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
            const j = where.get((zz * h + yy) * w + xx);
            if (j === undefined || id[j] !== 0) continue;
            id[j] = next++;
            parentOf.set(j, id[i]);
            queue[tail++] = j;
          }
    }
  }
  return lines.join('\n') + '\n';
}

import type { Box3, Vec3 } from '../../src/geometry/box.js';

/** A block reader over an in-memory C-order volume (tests feed analyzeVolume with it). */
export function memoryReader(vol: ArrayLike<number>, shape: Vec3) {
  return async (b: Box3) => {
    const out = new Float32Array(b.size[0] * b.size[1] * b.size[2]);
    for (let z = 0, o = 0; z < b.size[0]; z++)
      for (let y = 0; y < b.size[1]; y++) {
        const base = ((b.start[0] + z) * shape[1] + b.start[1] + y) * shape[2] + b.start[2];
        for (let x = 0; x < b.size[2]; x++, o++) out[o] = vol[base + x];
      }
    return out;
  };
}

/**
 * Binary erosion and dilation by the 6-connected unit cross, repeated `radius` times, and the
 * opening / closing built from them (Serra 1982, Image Analysis and Mathematical Morphology).
 * Outside the array counts as foreground for erosion and background for dilation, so the
 * volume's edge neither eats nor grows structures. A voxel's result depends only on voxels within
 * `radius` of it, so block-wise application with that halo equals the whole-volume result.
 */
import type { Vec3 } from '../geometry/box.js';

function step(src: Uint8Array, shape: Vec3, erode: boolean): Uint8Array {
  const [d, h, w] = shape;
  const out = new Uint8Array(src.length);
  const sy = w, sz = h * w;
  const edge = erode ? 1 : 0;
  for (let z = 0, o = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, o++) {
        const a = src[o];
        const n0 = x > 0 ? src[o - 1] : edge, n1 = x < w - 1 ? src[o + 1] : edge;
        const n2 = y > 0 ? src[o - sy] : edge, n3 = y < h - 1 ? src[o + sy] : edge;
        const n4 = z > 0 ? src[o - sz] : edge, n5 = z < d - 1 ? src[o + sz] : edge;
        if (erode) out[o] = a !== 0 && n0 !== 0 && n1 !== 0 && n2 !== 0 && n3 !== 0 && n4 !== 0 && n5 !== 0 ? 1 : 0;
        else out[o] = a !== 0 || n0 !== 0 || n1 !== 0 || n2 !== 0 || n3 !== 0 || n4 !== 0 || n5 !== 0 ? 1 : 0;
      }
  return out;
}

export function binaryMorphology(mask: Uint8Array, shape: Vec3, op: 'erode' | 'dilate' | 'open' | 'close', radius: number): Uint8Array {
  let m = mask;
  const run = (erode: boolean) => {
    for (let i = 0; i < radius; i++) m = step(m, shape, erode);
  };
  if (op === 'erode') run(true);
  else if (op === 'dilate') run(false);
  else if (op === 'open') {
    run(true);
    run(false);
  } else {
    run(false);
    run(true);
  }
  return m;
}

/**
 * Hole filling: background regions (6-connected, the dual of 26-connected foreground) that do not
 * reach the array's edge become foreground (as scipy.ndimage.binary_fill_holes).
 */
import type { Vec3 } from '../geometry/box.js';
import { labelComponents } from './label-components.js';

export function fillHoles(mask: Uint8Array, shape: Vec3): Uint8Array {
  const [d, h, w] = shape;
  const bg = new Uint8Array(mask.length);
  for (let o = 0; o < mask.length; o++) bg[o] = mask[o] === 0 ? 1 : 0;
  const { labels, count } = labelComponents(bg, shape, 6);
  const open = new Uint8Array(count + 1);
  for (let z = 0, o = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, o++) {
        if (labels[o] === 0) continue;
        if ((d > 1 && (z === 0 || z === d - 1)) || y === 0 || y === h - 1 || x === 0 || x === w - 1) open[labels[o]] = 1;
      }
  const out = new Uint8Array(mask.length);
  for (let o = 0; o < mask.length; o++) out[o] = mask[o] !== 0 || open[labels[o]] === 0 ? 1 : 0;
  return out;
}

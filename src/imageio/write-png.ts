import { encode } from 'fast-png';
import { writeFileAtomic } from '../files/write-atomic.js';

/** An 8-bit greyscale PNG, encoded by fast-png. */
export function encodePngGray8(pixels: Uint8Array, width: number, height: number): Uint8Array {
  return encode({ width, height, data: pixels, depth: 8, channels: 1 });
}

/**
 * Contrast-scale a float plane to 8 bits between its `lowPct` and `highPct` percentiles (from a
 * subsample), as viewers do by default; NaN shows black.
 */
export function contrastScale(plane: ArrayLike<number>, lowPct = 0.5, highPct = 99.5): Uint8Array {
  const step = Math.max(1, Math.floor(plane.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < plane.length; i += step) if (plane[i] === plane[i]) sample.push(plane[i]);
  sample.sort((a, b) => a - b);
  const lo = sample.length ? sample[Math.floor(((sample.length - 1) * lowPct) / 100)] : 0;
  const hi = sample.length ? sample[Math.ceil(((sample.length - 1) * highPct) / 100)] : 1;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const out = new Uint8Array(plane.length);
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i];
    out[i] = v !== v ? 0 : Math.max(0, Math.min(255, Math.round((v - lo) * scale)));
  }
  return out;
}

export async function writePngPlane(path: string, plane: ArrayLike<number>, width: number, height: number): Promise<void> {
  await writeFileAtomic(path, encodePngGray8(contrastScale(plane), width, height));
}

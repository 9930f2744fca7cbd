import { describe, it, expect } from 'vitest';
import { decode } from 'fast-png';
import { contrastScale, encodePngGray8 } from '../../src/imageio/write-png.js';

describe('encodePngGray8 and contrastScale', () => {
  it('writes 8-bit greyscale that decodes to the same pixels', () => {
    const px = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
    const png = decode(encodePngGray8(px, 7, 5));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([7, 5, 1, 8]);
    expect(Array.from(png.data)).toEqual(Array.from(px));
  });

  it('scales between percentiles and shows NaN black', () => {
    const plane = Float32Array.from({ length: 101 }, (_, i) => i);
    plane[50] = NaN;
    const g = contrastScale(plane, 0, 100);
    expect([g[0], g[100], g[50]]).toEqual([0, 255, 0]);
  });
});

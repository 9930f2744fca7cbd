import type { Vec3 } from '../geometry/box.js';
import { generateVesselNetwork, type VesselNetworkOptions } from './vessel-network.js';
import { PhantomRenderer } from './render-phantom.js';
import { hash3 } from './random.js';

export interface UnevenPhantom {
  shape: Vec3;
  /** Intensities. */
  image: Float32Array;
  /** Truth: 1 where a voxel centre lies inside a vessel. */
  mask: Uint8Array;
}

export interface UnevenPhantomOptions extends Partial<VesselNetworkOptions> {
  shape: Vec3;
  seed: number;
  /** Gain at x = 0 (it rises linearly to 1 at the last x). @default 0.35 */
  minGain?: number;
  /** Background added at the last y (rising linearly from 0). @default 0.6 */
  offset?: number;
  /** Amplitude of uniform voxel noise. @default 0.1 */
  noise?: number;
}

/**
 * The vessel phantom under an uneven illumination: a gain falling across x and a background that
 * rises across y, as in light-sheet volumes where one global threshold (Otsu) fails because
 * vessels on the dim side are darker than the background on the bright side.
 */
export function renderUnevenPhantom(opts: UnevenPhantomOptions): UnevenPhantom {
  const { shape, seed, minGain = 0.35, offset = 0.6, noise = 0.1, ...net } = opts;
  const renderer = new PhantomRenderer(generateVesselNetwork({ ...net, shape, seed }), { seed });
  const image = renderer.render([0, 0, 0], shape);
  const mask = renderer.mask([0, 0, 0], shape);
  const [d, h, w] = shape;
  for (let z = 0, o = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, o++) {
        const gain = minGain + ((1 - minGain) * x) / Math.max(1, w - 1);
        image[o] = image[o] * gain + (offset * y) / Math.max(1, h - 1) + noise * (hash3(x, y, z, seed + 17) - 0.5);
      }
  return { shape, image, mask };
}

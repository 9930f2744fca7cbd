/**
 * Step 1 of a region registration: a region centred on its valid mean, with its validity mask
 * completed by NaN, in kernel memory when it fits.
 */
import type { Vec3 } from '../geometry/box.js';
import type { TileTypedArray } from '../zarrio/dtypes.js';
import type { PhaseRegion } from './phase-correlation.js';
import { registrationKernels as kernels } from './wasm/registration-kernels.js';

export interface PreparedRegion extends PhaseRegion {
  /** Voxels that carry image. */
  valid: number;
  /** No variance among the valid voxels. */
  constant: boolean;
}

export interface RawRegion {
  data: TileTypedArray | Float32Array;
  shape: Vec3;
  mask?: Uint8Array | null;
}

export function prepareRegion(r: RawRegion): PreparedRegion {
  const n = r.shape[0] * r.shape[1] * r.shape[2];
  let mask = r.mask ?? null;
  const src = r.data;
  if (kernels && !mask && src instanceof Uint16Array) {
    // The common case (uint16 tiles, all valid): converted and centred in WebAssembly, in kernel memory.
    const c = kernels.centreU16(src);
    if (c) {
      const variance = n > 0 ? c.sumSquares / n : 0;
      return { data: c.data, shape: [...r.shape], mask: null, valid: n, constant: !(variance > 1e-10 * (c.mean * c.mean + 1e-20)) };
    }
  }
  let sum = 0, cnt = 0;
  for (let o = 0; o < n; o++) {
    const v = src[o];
    if ((mask && !mask[o]) || v !== v) continue;
    sum += v;
    cnt++;
  }
  if (cnt < n && !mask) {
    // NaN without an explicit mask: build one.
    mask = new Uint8Array(n);
    for (let o = 0; o < n; o++) mask[o] = src[o] === src[o] ? 1 : 0;
  } else if (mask && cnt < n) {
    for (let o = 0; o < n; o++) if (src[o] !== src[o]) mask[o] = 0;
  }
  const mean = cnt > 0 ? sum / cnt : 0;
  // Centring keeps the NCC sums well conditioned for 16-bit data with a large offset.
  const data = kernels ? kernels.f32(n) : new Float32Array(n);
  let ss = 0;
  for (let o = 0; o < n; o++) {
    if (mask && !mask[o]) continue;
    const v = src[o] - mean;
    data[o] = v;
    ss += v * v;
  }
  const variance = cnt > 0 ? ss / cnt : 0;
  return { data, shape: [...r.shape], mask, valid: cnt, constant: !(variance > 1e-10 * (mean * mean + 1e-20)) };
}

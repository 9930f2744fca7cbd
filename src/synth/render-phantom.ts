import type { Vec3 } from '../geometry/box.js';
import { hash3 } from './random.js';
import { pointSegmentDist2 } from './segment-distance.js';
import { indexSegments, segmentBounds, type SegmentIndex, type VesselNetwork } from './vessel-network.js';

export interface PhantomAppearance {
  /** Seed of the background texture. */
  seed: number;
  /** Background level and texture amplitude (vessel = 1). @default 0.25, 0.2 */
  background?: number;
  texture?: number;
}

/**
 * Adds smooth value noise (a hashed lattice with spacing `scale`, smoothstep-trilinear
 * interpolation) to a box. Lattice values and per-axis weights are computed once per box, so the
 * per-voxel cost is eight lookups and seven lerps: the texture of a 128³ tile takes tens of ms.
 */
function addValueNoise(out: Float32Array, origin: Vec3, size: Vec3, scale: number, seed: number, amp: number, flat: boolean): void {
  const axis = (o: number, n: number) => {
    const i0 = new Int32Array(n);
    const t = new Float64Array(n);
    let min = Infinity, max = -Infinity;
    for (let k = 0; k < n; k++) {
      const f = (o + k) / scale;
      const fl = Math.floor(f);
      const u = f - fl;
      i0[k] = fl;
      t[k] = u * u * (3 - 2 * u);
      min = Math.min(min, fl);
      max = Math.max(max, fl + 1);
    }
    for (let k = 0; k < n; k++) i0[k] -= min;
    return { i0, t, min, n: max - min + 1 };
  };
  const [d, h, w] = size;
  const az = flat ? { i0: new Int32Array(d), t: new Float64Array(d), min: 0, n: 2 } : axis(origin[0], d);
  const ay = axis(origin[1], h);
  const ax = axis(origin[2], w);
  const lat = new Float32Array(az.n * ay.n * ax.n);
  for (let z = 0, o = 0; z < az.n; z++)
    for (let y = 0; y < ay.n; y++)
      for (let x = 0; x < ax.n; x++, o++) lat[o] = hash3(x + ax.min, y + ay.min, flat ? 0 : z + az.min, seed);
  const sy = ax.n, sz = ay.n * ax.n;
  for (let k = 0, o = 0; k < d; k++) {
    const zb = az.i0[k] * sz, tz = az.t[k];
    for (let j = 0; j < h; j++) {
      const yb = zb + ay.i0[j] * sy, ty = ay.t[j];
      for (let i = 0; i < w; i++, o++) {
        const b = yb + ax.i0[i], tx = ax.t[i];
        const c00 = lat[b] + (lat[b + 1] - lat[b]) * tx;
        const c01 = lat[b + sy] + (lat[b + sy + 1] - lat[b + sy]) * tx;
        const c10 = lat[b + sz] + (lat[b + sz + 1] - lat[b + sz]) * tx;
        const c11 = lat[b + sz + sy] + (lat[b + sz + sy + 1] - lat[b + sz + sy]) * tx;
        const c0 = c00 + (c01 - c00) * ty;
        const c1 = c10 + (c11 - c10) * ty;
        out[o] += amp * (c0 + (c1 - c0) * tz - 0.5);
      }
    }
  }
}

/** A renderer bound to one network: builds its spatial index once, renders any number of boxes. */
export class PhantomRenderer {
  private readonly index: SegmentIndex;

  constructor(
    readonly network: VesselNetwork,
    readonly appearance: PhantomAppearance,
  ) {
    this.index = indexSegments(network, 32, 2);
  }

  /**
   * Intensities of the phantom sampled at origin + (k, j, i) for a box of `size` voxels; `origin`
   * may be fractional (a tile's true sub-voxel position). Tubes are anti-aliased (coverage ramps
   * over one voxel at the wall) so that sub-voxel shifts change the image, as in a real scan.
   */
  render(origin: Vec3, size: Vec3): Float32Array {
    const [d, h, w] = size;
    const out = new Float32Array(d * h * w).fill(this.appearance.background ?? 0.25);
    const tex = this.appearance.texture ?? 0.2;
    const seed = this.appearance.seed;
    const flat = this.network.shape[0] === 1;
    addValueNoise(out, origin, size, 7, seed, 0.65 * tex, flat);
    addValueNoise(out, origin, size, 3, seed + 1, 0.35 * tex, flat);
    const vessel = this.coverage(origin, size);
    for (let o = 0; o < out.length; o++) {
      const v = vessel[o];
      if (v > 0) out[o] = out[o] * (1 - v) + v;
    }
    return out;
  }

  /** Fraction of each voxel inside a tube, in [0, 1] (a one-voxel ramp centred on the wall). */
  coverage(origin: Vec3, size: Vec3): Float32Array {
    const [d, h, w] = size;
    const out = new Float32Array(d * h * w);
    const lo: Vec3 = [origin[0], origin[1], origin[2]];
    const hi: Vec3 = [origin[0] + d - 1, origin[1] + h - 1, origin[2] + w - 1];
    const net = this.network;
    for (const id of this.index.query(lo, hi)) {
      const s = net.segments[id];
      const a = net.nodes[s.a].pos, b = net.nodes[s.b].pos;
      const [blo, bhi] = segmentBounds(net, s, 1);
      const k0 = Math.max(0, Math.ceil(blo[0] - origin[0])), k1 = Math.min(d - 1, Math.floor(bhi[0] - origin[0]));
      const j0 = Math.max(0, Math.ceil(blo[1] - origin[1])), j1 = Math.min(h - 1, Math.floor(bhi[1] - origin[1]));
      const i0 = Math.max(0, Math.ceil(blo[2] - origin[2])), i1 = Math.min(w - 1, Math.floor(bhi[2] - origin[2]));
      const rOut = (s.radius + 0.5) ** 2;
      for (let k = k0; k <= k1; k++) {
        const z = origin[0] + k;
        for (let j = j0; j <= j1; j++) {
          const y = origin[1] + j;
          let o = (k * h + j) * w + i0;
          for (let i = i0; i <= i1; i++, o++) {
            const d2 = pointSegmentDist2(z, y, origin[2] + i, a, b);
            if (d2 >= rOut) continue;
            const v = Math.min(1, s.radius + 0.5 - Math.sqrt(d2));
            if (v > out[o]) out[o] = v;
          }
        }
      }
    }
    return out;
  }

  /** Binary truth mask (1 where the voxel centre lies inside a tube), at integer origin. */
  mask(origin: Vec3, size: Vec3): Uint8Array {
    const cov = this.coverage(origin, size);
    const out = new Uint8Array(cov.length);
    for (let o = 0; o < cov.length; o++) out[o] = cov[o] > 0.5 ? 1 : 0;
    return out;
  }
}

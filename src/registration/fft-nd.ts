/**
 * A 3-D real-input FFT built from fft.js 1-D transforms (radix-4, power-of-two sizes).
 *
 * Layout: the real volume is C-order (z, y, x) of `shape`; its spectrum keeps only the
 * non-negative x frequencies (Hermitian symmetry of a real input), i.e. complex interleaved
 * (re, im) values of shape (nz, ny, nx/2 + 1). An axis of size 1 is left untransformed, so the same
 * code serves 2-D planes (nz = 1). Every buffer is allocated once per plan; transforms touch no
 * allocator on the hot path.
 *
 * Cooley & Tukey (1965) doi:10.1090/S0025-5718-1965-0178586-1; real-input packing as in fft.js.
 */
import FFT from 'fft.js';
import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';

const plans = new Map<number, FFT>();
/** Lines gathered together along the strided axes. */
const BLOCK = 8;

function plan1d(n: number): FFT {
  let p = plans.get(n);
  if (!p) {
    p = new FFT(n);
    plans.set(n, p);
  }
  return p;
}

export class FftNd {
  readonly shape: Vec3;
  /** Complex values kept along x: nx/2 + 1 (1 when nx = 1). */
  readonly halfX: number;
  private readonly lineIn: Float64Array;
  private readonly lineOut: Float64Array;
  private readonly realRow: Float64Array;
  private readonly block: Float64Array[];
  private readonly blockOut: Float64Array[];
  /** cos, sin of 2πk/nx for k < nx/2 (real inverse by half-length transform). */
  private readonly twiddles: [Float64Array, Float64Array];

  /** Smallest size >= n that the transforms accept: 1 stays 1, else the next power of two (>= 2). */
  static goodSize(n: number): number {
    if (n <= 1) return 1;
    let s = 2;
    while (s < n) s <<= 1;
    return s;
  }

  constructor(shape: Vec3) {
    for (const n of shape) {
      if (n !== FftNd.goodSize(n)) {
        throw new StitchgraphError('InputError', `Cannot plan an FFT of shape [${shape}]: every size must be 1 or a power of two (pad with FftNd.goodSize)`);
      }
    }
    this.shape = [...shape];
    this.halfX = shape[2] === 1 ? 1 : shape[2] / 2 + 1;
    const longest = Math.max(...shape);
    this.lineIn = new Float64Array(2 * longest);
    this.lineOut = new Float64Array(2 * longest);
    this.realRow = new Float64Array(shape[2]);
    this.block = Array.from({ length: BLOCK }, () => new Float64Array(2 * longest));
    this.blockOut = Array.from({ length: BLOCK }, () => new Float64Array(2 * longest));
    const m = Math.max(1, shape[2] >> 1);
    this.twiddles = [new Float64Array(m), new Float64Array(m)];
    for (let k = 0; k < m; k++) {
      this.twiddles[0][k] = Math.cos((2 * Math.PI * k) / shape[2]);
      this.twiddles[1][k] = Math.sin((2 * Math.PI * k) / shape[2]);
    }
  }

  /** Number of doubles in a spectrum buffer (complex interleaved). */
  get spectrumLength(): number {
    return this.shape[0] * this.shape[1] * this.halfX * 2;
  }

  createSpectrum(): Float64Array {
    return new Float64Array(this.spectrumLength);
  }

  /** Forward transform of a real volume (length nz·ny·nx) into `spec` (length spectrumLength). */
  forward(input: Float64Array | Float32Array, spec: Float64Array): void {
    const [nz, ny, nx] = this.shape;
    const hx = this.halfX;
    const rows = nz * ny;
    if (nx === 1) {
      for (let r = 0; r < rows; r++) {
        spec[2 * r] = input[r];
        spec[2 * r + 1] = 0;
      }
    } else {
      const f = plan1d(nx);
      const row = this.realRow;
      const out = this.lineOut;
      for (let r = 0; r < rows; r++) {
        const base = r * nx;
        for (let i = 0; i < nx; i++) row[i] = input[base + i];
        if (nx >= 4) f.realTransform(out, row);
        else {
          const inp = this.lineIn;
          for (let i = 0; i < nx; i++) {
            inp[2 * i] = row[i];
            inp[2 * i + 1] = 0;
          }
          f.transform(out, inp);
        }
        const sb = 2 * r * hx;
        for (let i = 0; i < 2 * hx; i++) spec[sb + i] = out[i];
      }
    }
    this.complexAxis(spec, 1, false);
    this.complexAxis(spec, 0, false);
  }

  /** Inverse transform of `spec` (overwritten) into the real volume `out`, normalised (1/N). */
  inverse(spec: Float64Array, out: Float64Array | Float32Array): void {
    const [nz, ny, nx] = this.shape;
    const hx = this.halfX;
    this.complexAxis(spec, 0, true);
    this.complexAxis(spec, 1, true);
    const rows = nz * ny;
    if (nx === 1) {
      for (let r = 0; r < rows; r++) out[r] = spec[2 * r];
      return;
    }
    const inp = this.lineIn;
    const res = this.lineOut;
    if (nx === 2) {
      const f = plan1d(2);
      for (let r = 0; r < rows; r++) {
        const sb = 2 * r * hx;
        for (let i = 0; i < 4; i++) inp[i] = spec[sb + i];
        f.inverseTransform(res, inp);
        out[r * 2] = res[0];
        out[r * 2 + 1] = res[2];
      }
      return;
    }
    // A real inverse of length N as one complex inverse of length N/2 on z[m] = x[2m] + i·x[2m+1]:
    // Z[k] = E[k] + i·O[k], E = (X[k] + X̄[M−k])/2, O = (X[k] − X̄[M−k])·e^{2πik/N}/2.
    const m = nx / 2;
    const f = plan1d(m);
    const [cs, sn] = this.twiddles;
    for (let r = 0; r < rows; r++) {
      const sb = 2 * r * hx;
      for (let k = 0; k < m; k++) {
        const xr = spec[sb + 2 * k], xi = spec[sb + 2 * k + 1];
        const yr = spec[sb + 2 * (m - k)], yi = -spec[sb + 2 * (m - k) + 1];
        const er = 0.5 * (xr + yr), ei = 0.5 * (xi + yi);
        const dr = 0.5 * (xr - yr), di = 0.5 * (xi - yi);
        const or = dr * cs[k] - di * sn[k], oi = dr * sn[k] + di * cs[k];
        inp[2 * k] = er - oi;
        inp[2 * k + 1] = ei + or;
      }
      f.inverseTransform(res, inp);
      const ob = r * nx;
      for (let i = 0; i < nx; i++) out[ob + i] = res[i];
    }
  }

  /**
   * In-place complex transform along axis 0 (z) or 1 (y) of a half spectrum. Lines are gathered
   * BLOCK at a time: neighbouring lines share cache lines, so a strided gather pays for each once.
   */
  private complexAxis(spec: Float64Array, axis: 0 | 1, inverse: boolean): void {
    const [nz, ny] = this.shape;
    const hx = this.halfX;
    const n = axis === 0 ? nz : ny;
    if (n === 1) return;
    const f = plan1d(n);
    const blk = this.block;
    const res = this.blockOut;
    // Stride (in complex values) between neighbours along the axis, and the lines to visit.
    const stride = axis === 0 ? ny * hx : hx;
    const outer = axis === 0 ? 1 : nz;
    const outerStride = ny * hx;
    const inner = axis === 0 ? ny * hx : hx;
    for (let o = 0; o < outer; o++) {
      for (let q0 = 0; q0 < inner; q0 += BLOCK) {
        const nb = Math.min(BLOCK, inner - q0);
        const base = o * outerStride + q0;
        for (let k = 0; k < n; k++) {
          const p = 2 * (base + k * stride);
          for (let b = 0; b < nb; b++) {
            blk[b][2 * k] = spec[p + 2 * b];
            blk[b][2 * k + 1] = spec[p + 2 * b + 1];
          }
        }
        for (let b = 0; b < nb; b++) {
          if (inverse) f.inverseTransform(res[b], blk[b]);
          else f.transform(res[b], blk[b]);
        }
        for (let k = 0; k < n; k++) {
          const p = 2 * (base + k * stride);
          for (let b = 0; b < nb; b++) {
            spec[p + 2 * b] = res[b][2 * k];
            spec[p + 2 * b + 1] = res[b][2 * k + 1];
          }
        }
      }
    }
  }
}

/**
 * A 3-D real-input FFT: fft.js 1-D real transforms along x (contiguous rows), and a blocked
 * multi-column radix-2 kernel along y and z (below).
 *
 * Layout: the real volume is C-order (z, y, x) of `shape`; its spectrum keeps only the
 * non-negative x frequencies (Hermitian symmetry of a real input), i.e. complex interleaved
 * (re, im) values of shape (nz, ny, nx/2 + 1). An axis of size 1 is left untransformed, so the same
 * code serves 2-D planes (nz = 1). Every buffer is allocated once per plan; transforms touch no
 * allocator on the hot path. `forward` takes a smaller real volume too and treats it as zero
 * padded: rows and planes that are all zero are not transformed.
 *
 * Why an own kernel for y and z: with fft.js every line along a strided axis has to be gathered
 * into a scratch line, transformed and scattered back, and the gather/scatter cost more than the
 * transforms (profile of a 64×512×512 pair). Here a block of neighbouring columns (contiguous in
 * memory) is copied once, in bit-reversed row order, into a scratch that fits in cache, and each
 * butterfly runs over the whole block row: contiguous inner loops, one twiddle per row pair.
 *
 * Cooley & Tukey (1965) doi:10.1090/S0025-5718-1965-0178586-1; real-input packing as in fft.js.
 */
import FFT from 'fft.js';
import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';

const plans = new Map<number, FFT>();
/** Doubles in the multi-column scratch (256 KiB: stays in a core's L2 cache). */
const SCRATCH = 32768;

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
  private readonly scratch: Float64Array;
  /** Per strided-axis length: bit-reversal permutation and cos/sin of 2πk/n for k < n/2. */
  private readonly colPlans = new Map<number, { rev: Uint32Array; cos: Float64Array; sin: Float64Array }>();
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
    this.scratch = new Float64Array(Math.max(SCRATCH, 4 * Math.max(shape[0], shape[1])));
    for (const n of [shape[0], shape[1]]) {
      if (n < 2 || this.colPlans.has(n)) continue;
      const rev = new Uint32Array(n);
      const bits = Math.log2(n);
      for (let i = 0; i < n; i++) {
        let r = 0;
        for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
        rev[i] = r;
      }
      const cos = new Float64Array(n / 2), sin = new Float64Array(n / 2);
      for (let k = 0; k < n / 2; k++) {
        cos[k] = Math.cos((2 * Math.PI * k) / n);
        sin[k] = Math.sin((2 * Math.PI * k) / n);
      }
      this.colPlans.set(n, { rev, cos, sin });
    }
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

  /**
   * Forward transform of a real volume into `spec` (length spectrumLength). `input` is C-order of
   * `inShape` (each axis at most the plan's; default the plan's shape), zero padded to the plan.
   */
  forward(input: Float64Array | Float32Array, spec: Float64Array, inShape: Vec3 = this.shape): void {
    const [nz, ny, nx] = this.shape;
    const [d, h, w] = inShape;
    if (d > nz || h > ny || w > nx || input.length < d * h * w) {
      throw new StitchgraphError('InputError', `Cannot transform a volume of shape [${inShape}] with an FFT of shape [${this.shape}]`);
    }
    const hx = this.halfX;
    const rowLen = 2 * hx;
    // Rows and planes beyond the input are zero in the spectrum until the y and z passes.
    for (let k = 0; k < d; k++) spec.fill(0, (k * ny + h) * rowLen, (k + 1) * ny * rowLen);
    spec.fill(0, d * ny * rowLen, nz * ny * rowLen);
    if (nx === 1) {
      for (let k = 0; k < d; k++)
        for (let j = 0; j < h; j++) {
          const p = 2 * (k * ny + j);
          spec[p] = input[k * h + j];
          spec[p + 1] = 0;
        }
    } else {
      const f = plan1d(nx);
      const row = this.realRow;
      const out = this.lineOut;
      row.fill(0);
      for (let k = 0; k < d; k++)
        for (let j = 0; j < h; j++) {
          const base = (k * h + j) * w;
          for (let i = 0; i < w; i++) row[i] = input[base + i];
          if (nx >= 4) f.realTransform(out, row);
          else {
            const inp = this.lineIn;
            for (let i = 0; i < nx; i++) {
              inp[2 * i] = row[i];
              inp[2 * i + 1] = 0;
            }
            f.transform(out, inp);
          }
          const sb = (k * ny + j) * rowLen;
          for (let i = 0; i < rowLen; i++) spec[sb + i] = out[i];
        }
    }
    // y: only the planes that hold data (the others are zero and stay zero).
    if (ny > 1) for (let k = 0; k < d; k++) this.columns(spec, k * ny * hx, ny, hx, hx, false);
    if (nz > 1) this.columns(spec, 0, nz, ny * hx, ny * hx, false);
  }

  /** Inverse transform of `spec` (overwritten) into the real volume `out`, normalised (1/N). */
  inverse(spec: Float64Array, out: Float64Array | Float32Array): void {
    const [nz, ny, nx] = this.shape;
    const hx = this.halfX;
    if (nz > 1) this.columns(spec, 0, nz, ny * hx, ny * hx, true);
    if (ny > 1) for (let k = 0; k < nz; k++) this.columns(spec, k * ny * hx, ny, hx, hx, true);
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
   * In-place complex transform (normalised 1/n when inverse) along a strided axis of the
   * interleaved spectrum: `n` rows (offsets `base + r·rowStride`, in complex values) of `m`
   * contiguous columns each, transformed as m independent length-n columns. Iterative radix-4
   * (and one radix-2 stage when log2 n is odd) decimation in time on a cache-sized block of columns at a time.
   */
  private columns(spec: Float64Array, base: number, n: number, rowStride: number, m: number, inverse: boolean): void {
    const plan = this.colPlans.get(n);
    if (!plan) throw new StitchgraphError('InputError', `Cannot transform columns of length ${n}: no plan`);
    const { rev, cos, sin } = plan;
    const x = this.scratch;
    const sgn = inverse ? 1 : -1;
    const scale = inverse ? 1 / n : 1;
    // Columns per block: the scratch holds n rows of `cols` complex values.
    const maxCols = Math.max(1, Math.floor(x.length / (2 * n)));
    const blocks = Math.ceil(m / maxCols);
    const per = Math.ceil(m / blocks);
    for (let c0 = 0; c0 < m; c0 += per) {
      const cols = Math.min(per, m - c0);
      const w2 = 2 * cols;
      for (let r = 0; r < n; r++) {
        const src = 2 * (base + r * rowStride + c0);
        const dst = rev[r] * w2;
        for (let i = 0; i < w2; i++) x[dst + i] = spec[src + i];
      }
      // log2(n) odd: one stage of span 2 (twiddle 1), then pairs of stages fused (radix 4).
      let size = 1;
      if (Math.log2(n) % 2 === 1) {
        for (let p = 0; p < n; p += 2) {
          const a = p * w2, b = a + w2;
          for (let i = 0; i < w2; i++) {
            const u = x[a + i], v = x[b + i];
            x[a + i] = u + v;
            x[b + i] = u - v;
          }
        }
        size = 2;
      }
      // Stages of span 2h and 4h in one pass over 4 rows a0..a3 (h apart): the first pairs (a0, a1)
      // and (a2, a3) with W_2h^j, the second (a0, a2) with W_4h^j and (a1, a3) with W_4h^(j+h) = W_4h^j·(∓i).
      for (; size < n; size <<= 2) {
        const h = size;
        const t1 = n / (2 * h), t2 = n / (4 * h);
        const hw = h * w2;
        for (let start = 0; start < n; start += 4 * h) {
          for (let j = 0; j < h; j++) {
            const a0 = (start + j) * w2, a1 = a0 + hw, a2 = a1 + hw, a3 = a2 + hw;
            const w1r = cos[j * t1], w1i = sgn * sin[j * t1];
            const w2r = cos[j * t2], w2i = sgn * sin[j * t2];
            for (let i = 0; i < w2; i += 2) {
              const x0r = x[a0 + i], x0i = x[a0 + i + 1];
              const x1r = x[a1 + i], x1i = x[a1 + i + 1];
              const x2r = x[a2 + i], x2i = x[a2 + i + 1];
              const x3r = x[a3 + i], x3i = x[a3 + i + 1];
              const p1r = x1r * w1r - x1i * w1i, p1i = x1r * w1i + x1i * w1r;
              const p3r = x3r * w1r - x3i * w1i, p3i = x3r * w1i + x3i * w1r;
              const y0r = x0r + p1r, y0i = x0i + p1i, y1r = x0r - p1r, y1i = x0i - p1i;
              const y2r = x2r + p3r, y2i = x2i + p3i, y3r = x2r - p3r, y3i = x2i - p3i;
              const ur = y2r * w2r - y2i * w2i, ui = y2r * w2i + y2i * w2r;
              // v = W_4h^j·y3·(sgn·i): (qr + i·qi)·(sgn·i) = −sgn·qi + i·sgn·qr.
              const qr = y3r * w2r - y3i * w2i, qi = y3r * w2i + y3i * w2r;
              const vr = -sgn * qi, vi = sgn * qr;
              x[a0 + i] = y0r + ur;
              x[a0 + i + 1] = y0i + ui;
              x[a2 + i] = y0r - ur;
              x[a2 + i + 1] = y0i - ui;
              x[a1 + i] = y1r + vr;
              x[a1 + i + 1] = y1i + vi;
              x[a3 + i] = y1r - vr;
              x[a3 + i + 1] = y1i - vi;
            }
          }
        }
      }
      for (let r = 0; r < n; r++) {
        const dst = 2 * (base + r * rowStride + c0);
        const src = r * w2;
        if (scale === 1) for (let i = 0; i < w2; i++) spec[dst + i] = x[src + i];
        else for (let i = 0; i < w2; i++) spec[dst + i] = x[src + i] * scale;
      }
    }
  }
}

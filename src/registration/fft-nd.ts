/**
 * A 3-D real-input FFT: fft.js 1-D real transforms along x (contiguous rows; power-of-two
 * length), and an own blocked multi-column kernel along y and z (lengths 2^a·3^b·5^c: radix 4/2
 * decimation in time for powers of two, Stockham radix 4/2/3/5 otherwise).
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
 * memory) is copied once (in bit-reversed row order for powers of two) into a scratch that fits
 * in cache, and each butterfly runs over the whole block row: contiguous inner loops, one set of
 * twiddles per butterfly. fft.js takes powers of two only; the mixed radix lets a 40-plane
 * overlap be transformed as 40 planes instead of 64.
 *
 * Cooley & Tukey (1965) doi:10.1090/S0025-5718-1965-0178586-1; real-input packing as in fft.js.
 */
import FFT from 'fft.js';
import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';

/**
 * Fills `row[0..w)` with row (k, j) of the real input (the rest of `row` must stay 0): lets a
 * caller window or mask its data on the way in, without a copy of the volume.
 */
export type RowSource = (k: number, j: number, row: Float64Array) => void;

const plans = new Map<number, FFT>();
const SIN_60 = Math.sin(Math.PI / 3);
const COS_72 = Math.cos((2 * Math.PI) / 5), SIN_72 = Math.sin((2 * Math.PI) / 5);
const COS_144 = Math.cos((4 * Math.PI) / 5), SIN_144 = Math.sin((4 * Math.PI) / 5);
/** Doubles in each multi-column scratch (1 MiB; the pair of them stays in a 2 MiB L2 cache). */
const SCRATCH = 131072;

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
  /** The other half of the ping-pong pair of the mixed-radix (Stockham) columns. */
  private readonly scratch2: Float64Array;
  /**
   * Per strided-axis length. Power of two: bit-reversal permutation and cos/sin of 2πk/n for
   * k < n/2. Otherwise: its radices (4, 2, 3, 5) and cos/sin of 2πk/n for k < n.
   */
  private readonly colPlans = new Map<number, { rev: Uint32Array; cos: Float64Array; sin: Float64Array; radices: number[] | null }>();
  /** cos, sin of 2πk/nx for k < nx/2 (real inverse by half-length transform). */
  private readonly twiddles: [Float64Array, Float64Array];

  /** Smallest size >= n that the transforms accept: 1 stays 1, else the next power of two (>= 2). */
  static goodSize(n: number): number {
    if (n <= 1) return 1;
    let s = 2;
    while (s < n) s <<= 1;
    return s;
  }

  /**
   * Smallest size >= n accepted along z and y (the strided axes): 1, or 2^a·3^b·5^c. Padding
   * 40 planes to 64 would cost 60 % more work on every axis than transforming 40.
   */
  static goodStridedSize(n: number): number {
    if (n <= 1) return 1;
    for (let s = Math.max(2, n); ; s++) {
      let r = s;
      for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
      if (r === 1) return s;
    }
  }

  constructor(shape: Vec3) {
    if (shape[2] !== FftNd.goodSize(shape[2]) || shape[0] !== FftNd.goodStridedSize(shape[0]) || shape[1] !== FftNd.goodStridedSize(shape[1])) {
      throw new StitchgraphError(
        'InputError',
        `Cannot plan an FFT of shape [${shape}]: x must be 1 or a power of two and z, y 1 or 2^a·3^b·5^c (pad with FftNd.goodSize / goodStridedSize)`,
      );
    }
    this.shape = [...shape];
    this.halfX = shape[2] === 1 ? 1 : shape[2] / 2 + 1;
    const longest = Math.max(...shape);
    this.lineIn = new Float64Array(2 * longest);
    this.lineOut = new Float64Array(2 * longest);
    this.realRow = new Float64Array(shape[2]);
    // No larger than one whole spectrum (small plans stay small), no smaller than one column.
    const whole = 2 * shape[0] * shape[1] * this.halfX;
    this.scratch = new Float64Array(Math.max(Math.min(SCRATCH, whole), 4 * Math.max(shape[0], shape[1])));
    this.scratch2 = new Float64Array(this.scratch.length);
    for (const n of [shape[0], shape[1]]) {
      if (n < 2 || this.colPlans.has(n)) continue;
      if ((n & (n - 1)) !== 0) {
        const radices: number[] = [];
        let r = n;
        for (const p of [4, 2, 3, 5]) while (r % p === 0) {
          radices.push(p);
          r /= p;
        }
        const cos = new Float64Array(n), sin = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          cos[k] = Math.cos((2 * Math.PI * k) / n);
          sin[k] = Math.sin((2 * Math.PI * k) / n);
        }
        this.colPlans.set(n, { rev: new Uint32Array(0), cos, sin, radices });
        continue;
      }
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
      this.colPlans.set(n, { rev, cos, sin, radices: null });
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
  forward(input: Float64Array | Float32Array | RowSource, spec: Float64Array, inShape: Vec3 = this.shape): void {
    const [nz, ny, nx] = this.shape;
    const [d, h, w] = inShape;
    if (d > nz || h > ny || w > nx || (typeof input !== 'function' && input.length < d * h * w)) {
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
          if (typeof input === 'function') {
            input(k, j, this.realRow);
            spec[p] = this.realRow[0];
          } else spec[p] = input[k * h + j];
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
          if (typeof input === 'function') input(k, j, row);
          else for (let i = 0; i < w; i++) row[i] = input[base + i];
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
    if (plan.radices) {
      this.mixedColumns(spec, base, n, rowStride, m, inverse, plan.radices, plan.cos, plan.sin);
      return;
    }
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

  /**
   * `columns` for a length that is not a power of two: Stockham autosort passes (no digit
   * reversal), ping-pong between the two scratch buffers; radix 4, 2, 3 and 5 butterflies written out. Stockham (1966); formulation of Govindaraju et al. (2008)
   * doi:10.1109/SC.2008.5213922.
   */
  private mixedColumns(spec: Float64Array, base: number, n: number, rowStride: number, m: number, inverse: boolean, radices: number[], cos: Float64Array, sin: Float64Array): void {
    const sgn = inverse ? 1 : -1;
    const scale = inverse ? 1 / n : 1;
    const maxCols = Math.max(1, Math.floor(this.scratch.length / (2 * n)));
    const blocks = Math.ceil(m / maxCols);
    const per = Math.ceil(m / blocks);
    for (let c0 = 0; c0 < m; c0 += per) {
      const cols = Math.min(per, m - c0);
      const w2 = 2 * cols;
      let src = this.scratch, dst = this.scratch2;
      for (let r = 0; r < n; r++) {
        const from = 2 * (base + r * rowStride + c0);
        const to = r * w2;
        for (let i = 0; i < w2; i++) src[to + i] = spec[from + i];
      }
      let ns = 1;
      for (const R of radices) {
        const stride = n / R;
        // Twiddle of input q of butterfly j: exp(sgn·2πi·q·(j mod ns)/(ns·R)) = table[q·(j mod ns)·n/(ns·R)].
        const tstep = n / (ns * R);
        for (let j = 0; j < stride; j++) {
          const k = j % ns;
          const outBase = (Math.floor(j / ns) * ns * R + k) * w2;
          const inBase = j * w2;
          if (R === 2) {
            const wr = cos[k * tstep], wi = sgn * sin[k * tstep];
            const a = inBase, b = inBase + stride * w2, o0 = outBase, o1 = outBase + ns * w2;
            for (let i = 0; i < w2; i += 2) {
              const br = src[b + i], bi = src[b + i + 1];
              const pr = br * wr - bi * wi, pi = br * wi + bi * wr;
              const ar = src[a + i], ai = src[a + i + 1];
              dst[o0 + i] = ar + pr;
              dst[o0 + i + 1] = ai + pi;
              dst[o1 + i] = ar - pr;
              dst[o1 + i + 1] = ai - pi;
            }
          } else if (R === 4) {
            const m1 = k * tstep, m2 = 2 * k * tstep, m3 = 3 * k * tstep;
            const w1r = cos[m1], w1i = sgn * sin[m1], w2r = cos[m2], w2i = sgn * sin[m2], w3r = cos[m3], w3i = sgn * sin[m3];
            const i0 = inBase, i1 = i0 + stride * w2, i2 = i1 + stride * w2, i3 = i2 + stride * w2;
            const o0 = outBase, o1 = o0 + ns * w2, o2 = o1 + ns * w2, o3 = o2 + ns * w2;
            for (let i = 0; i < w2; i += 2) {
              const x0r = src[i0 + i], x0i = src[i0 + i + 1];
              const y1r = src[i1 + i], y1i = src[i1 + i + 1];
              const y2r = src[i2 + i], y2i = src[i2 + i + 1];
              const y3r = src[i3 + i], y3i = src[i3 + i + 1];
              const x1r = y1r * w1r - y1i * w1i, x1i = y1r * w1i + y1i * w1r;
              const x2r = y2r * w2r - y2i * w2i, x2i = y2r * w2i + y2i * w2r;
              const x3r = y3r * w3r - y3i * w3i, x3i = y3r * w3i + y3i * w3r;
              const ar = x0r + x2r, ai = x0i + x2i, br = x0r - x2r, bi = x0i - x2i;
              const cr = x1r + x3r, ci = x1i + x3i;
              // d = (x1 − x3)·(sgn·i)
              const dr = -sgn * (x1i - x3i), di = sgn * (x1r - x3r);
              dst[o0 + i] = ar + cr;
              dst[o0 + i + 1] = ai + ci;
              dst[o2 + i] = ar - cr;
              dst[o2 + i + 1] = ai - ci;
              dst[o1 + i] = br + dr;
              dst[o1 + i + 1] = bi + di;
              dst[o3 + i] = br - dr;
              dst[o3 + i + 1] = bi - di;
            }
          } else if (R === 3) {
            const m1 = k * tstep, m2 = 2 * k * tstep;
            const w1r = cos[m1], w1i = sgn * sin[m1], w2r = cos[m2], w2i = sgn * sin[m2];
            const i0 = inBase, i1 = i0 + stride * w2, i2 = i1 + stride * w2;
            const o0 = outBase, o1 = o0 + ns * w2, o2 = o1 + ns * w2;
            const s3 = sgn * SIN_60;
            for (let i = 0; i < w2; i += 2) {
              const x0r = src[i0 + i], x0i = src[i0 + i + 1];
              const y1r = src[i1 + i], y1i = src[i1 + i + 1];
              const y2r = src[i2 + i], y2i = src[i2 + i + 1];
              const x1r = y1r * w1r - y1i * w1i, x1i = y1r * w1i + y1i * w1r;
              const x2r = y2r * w2r - y2i * w2i, x2i = y2r * w2i + y2i * w2r;
              const ar = x1r + x2r, ai = x1i + x2i, br = x1r - x2r, bi = x1i - x2i;
              const mr = x0r - 0.5 * ar, mi = x0i - 0.5 * ai;
              // ±sgn·i·sin(60°)·b
              const jr = -s3 * bi, ji = s3 * br;
              dst[o0 + i] = x0r + ar;
              dst[o0 + i + 1] = x0i + ai;
              dst[o1 + i] = mr + jr;
              dst[o1 + i + 1] = mi + ji;
              dst[o2 + i] = mr - jr;
              dst[o2 + i + 1] = mi - ji;
            }
          } else {
            // Radix 5: with a_p = x_p + x_(5−p), b_p = x_p − x_(5−p), y_1,4 = x0 + c1·a1 + c2·a2 ± sgn·i·(s1·b1 + s2·b2)
            // and y_2,3 = x0 + c2·a1 + c1·a2 ± sgn·i·(s2·b1 − s1·b2) (c_p, s_p: cos, sin of 2πp/5).
            const m1 = k * tstep, m2 = 2 * m1, m3 = 3 * m1, m4 = 4 * m1;
            const w1r = cos[m1], w1i = sgn * sin[m1], w2r = cos[m2], w2i = sgn * sin[m2];
            const w3r = cos[m3], w3i = sgn * sin[m3], w4r = cos[m4], w4i = sgn * sin[m4];
            const sw = stride * w2, nw = ns * w2;
            const i0 = inBase, i1 = i0 + sw, i2 = i1 + sw, i3 = i2 + sw, i4 = i3 + sw;
            const o0 = outBase, o1 = o0 + nw, o2 = o1 + nw, o3 = o2 + nw, o4 = o3 + nw;
            const s1 = sgn * SIN_72, s2 = sgn * SIN_144;
            for (let i = 0; i < w2; i += 2) {
              const x0r = src[i0 + i], x0i = src[i0 + i + 1];
              let vr = src[i1 + i], vi = src[i1 + i + 1];
              const x1r = vr * w1r - vi * w1i, x1i = vr * w1i + vi * w1r;
              vr = src[i2 + i];
              vi = src[i2 + i + 1];
              const x2r = vr * w2r - vi * w2i, x2i = vr * w2i + vi * w2r;
              vr = src[i3 + i];
              vi = src[i3 + i + 1];
              const x3r = vr * w3r - vi * w3i, x3i = vr * w3i + vi * w3r;
              vr = src[i4 + i];
              vi = src[i4 + i + 1];
              const x4r = vr * w4r - vi * w4i, x4i = vr * w4i + vi * w4r;
              const a1r = x1r + x4r, a1i = x1i + x4i, b1r = x1r - x4r, b1i = x1i - x4i;
              const a2r = x2r + x3r, a2i = x2i + x3i, b2r = x2r - x3r, b2i = x2i - x3i;
              const p1r = x0r + COS_72 * a1r + COS_144 * a2r, p1i = x0i + COS_72 * a1i + COS_144 * a2i;
              const p2r = x0r + COS_144 * a1r + COS_72 * a2r, p2i = x0i + COS_144 * a1i + COS_72 * a2i;
              // i·T = (−T_im, T_re), T = s1·b1 + s2·b2 and U = s2·b1 − s1·b2 (signs folded into s1, s2).
              const tr = s1 * b1r + s2 * b2r, ti = s1 * b1i + s2 * b2i;
              const ur = s2 * b1r - s1 * b2r, ui = s2 * b1i - s1 * b2i;
              dst[o0 + i] = x0r + a1r + a2r;
              dst[o0 + i + 1] = x0i + a1i + a2i;
              dst[o1 + i] = p1r - ti;
              dst[o1 + i + 1] = p1i + tr;
              dst[o4 + i] = p1r + ti;
              dst[o4 + i + 1] = p1i - tr;
              dst[o2 + i] = p2r - ui;
              dst[o2 + i + 1] = p2i + ur;
              dst[o3 + i] = p2r + ui;
              dst[o3 + i + 1] = p2i - ur;
            }
          }
        }
        const t = src;
        src = dst;
        dst = t;
        ns *= R;
      }
      for (let r = 0; r < n; r++) {
        const to = 2 * (base + r * rowStride + c0);
        const from = r * w2;
        if (scale === 1) for (let i = 0; i < w2; i++) spec[to + i] = src[from + i];
        else for (let i = 0; i < w2; i++) spec[to + i] = src[from + i] * scale;
      }
    }
  }
}

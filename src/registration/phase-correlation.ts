/**
 * Phase correlation of two regions: the inverse FFT of the normalised cross-power spectrum has a
 * sharp peak at the translation that maps `b` onto `a` (`a[i] ≈ b[i - t]`), modulo the padded FFT
 * size. Kuglin & Hines (1975), "The phase correlation image alignment method"; padding, masking
 * and top-N peak verification as in Preibisch, Saalfeld & Tomancak (2009)
 * doi:10.1093/bioinformatics/btp184.
 *
 * Invalid voxels (mask 0) are set to the region's valid mean, so they add no edges; both regions
 * are apodised with a Tukey window and zero padded to a common size the FFT takes (fft-nd.ts).
 */
import type { Vec3 } from '../geometry/box.js';
import { FftNd } from './fft-nd.js';
import { tukeyWindow } from './tukey-window.js';
import { WasmFft3d, windowedRowWriter, type WindowedRegion } from './wasm/wasm-fft3d.js';
import { registrationKernels as kernels } from './wasm/registration-kernels.js';

export interface PhaseRegion {
  data: Float32Array;
  shape: Vec3;
  /** 1 = valid voxel; null = all valid. */
  mask: Uint8Array | null;
}

export interface PhaseCorrelationOptions {
  /** How many local maxima to return, best first. @default 5 */
  peaks?: number;
  /**
   * Fraction of each axis tapered at each end by the Tukey window. Kept small: the overlap lies at
   * the edge of at least one region, where a wide taper would erase it. @default 0.05
   */
  apodization?: number;
  /**
   * Gaussian smoothing (σ, voxels) of the correlation surface, applied as a weight on the
   * normalised cross-power spectrum: whitening makes every frequency count equally, so noise-only
   * high frequencies would otherwise break the true peak into speckle. @default 1
   */
  smoothing?: number;
}

export interface PhasePeak {
  /** Translation t in [0, N) per axis (N = fftShape): a[i] ≈ b[i - t], known modulo N. */
  shift: Vec3;
  value: number;
}

export interface PhaseCorrelationResult {
  peaks: PhasePeak[];
  fftShape: Vec3;
  /** Best peak over the second best (capped at 1e6; 1e6 when there is no second positive peak). */
  peakRatio: number;
}

const MAX_RATIO = 1e6;

/** The region's valid mean and its Tukey windows: what the FFT input is made of. */
function windowed(r: PhaseRegion, apodization: number): WindowedRegion {
  const [d, h, w] = r.shape;
  const src = r.data, mask = r.mask;
  let sum = 0, cnt = 0;
  if (mask) {
    for (let o = 0; o < src.length; o++) {
      if (!mask[o]) continue;
      sum += src[o];
      cnt++;
    }
  } else {
    if (kernels?.holds(src)) sum = kernels.sum(src);
    else for (let o = 0; o < src.length; o++) sum += src[o];
    cnt = src.length;
  }
  const mean = cnt > 0 ? sum / cnt : 0;
  return { data: src, shape: r.shape, mask, mean, wz: tukeyWindow(d, d * apodization), wy: tukeyWindow(h, h * apodization), wx: tukeyWindow(w, w * apodization) };
}

/**
 * Which transforms phase correlation uses: PFFFT (WebAssembly SIMD; sizes padded to multiples of
 * 16 or 32), fft-nd.ts (JavaScript; padded less), or `auto`: PFFFT from WASM_MIN_VOXELS up.
 */
export type FftEngine = 'auto' | 'wasm' | 'js';

/**
 * Below this many voxels the JavaScript transforms take a few milliseconds anyway, and their
 * tighter padding matters: a thin corner overlap downsampled to 35×35 is padded to 36×64, not
 * 48×64, and a window that is mostly padding blurs the few peaks such overlaps have.
 */
const WASM_MIN_VOXELS = 1 << 18;

/** The padded shape the WebAssembly transforms will use for regions of these shapes, or null when the JavaScript ones will. */
export function phaseCorrelationShape(a: Vec3, b: Vec3, engine: FftEngine = 'auto'): Vec3 | null {
  const extent: Vec3 = [0, 1, 2].map((ax) => Math.max(a[ax], b[ax])) as Vec3;
  const wanted = engine === 'wasm' || (engine === 'auto' && extent[0] * extent[1] * extent[2] >= WASM_MIN_VOXELS);
  return wanted ? WasmFft3d.paddedShape(extent) : null;
}

export function phaseCorrelation(a: PhaseRegion, b: PhaseRegion, opts: PhaseCorrelationOptions & { engine?: FftEngine } = {}): PhaseCorrelationResult {
  const { peaks = 5, apodization = 0.05, smoothing = 1, engine = 'auto' } = opts;
  const extent: Vec3 = [0, 1, 2].map((ax) => Math.max(a.shape[ax], b.shape[ax])) as Vec3;
  const padded = phaseCorrelationShape(a.shape, b.shape, engine);
  const wasm = padded ? WasmFft3d.create(padded) : null;
  let n: Vec3;
  let found: PhasePeak[];
  if (wasm) {
    n = wasm.shape;
    wasm.forward(0, windowed(a, apodization));
    wasm.forward(1, windowed(b, apodization));
    wasm.crossPower(gaussianWeights(n[0], smoothing), gaussianWeights(n[1], smoothing), gaussianWeights(n[2], smoothing));
    const { corr, rowMax, scale } = wasm.inverse();
    found = topLocalMaxima(corr, n, peaks, rowMax);
    for (const p of found) p.value *= scale;
  } else {
    // Padded only to a size the transforms take: 2^a·3^b·5^c along z and y, a power of two along x.
    n = [FftNd.goodStridedSize(extent[0]), FftNd.goodStridedSize(extent[1]), FftNd.goodSize(extent[2])];
    found = topLocalMaxima(jsCorrelation(a, b, n, apodization, smoothing), n, peaks);
  }
  const ratio = found.length > 1 && found[1].value > 0 ? Math.min(MAX_RATIO, found[0].value / found[1].value) : MAX_RATIO;
  return { peaks: found, fftShape: n, peakRatio: ratio };
}

function jsCorrelation(a: PhaseRegion, b: PhaseRegion, n: Vec3, apodization: number, smoothing: number): Float64Array {
  const fft = new FftNd(n);
  const sa = fft.createSpectrum();
  const sb = fft.createSpectrum();
  const rowsA = windowedRowWriter(windowed(a, apodization)), rowsB = windowedRowWriter(windowed(b, apodization));
  fft.forward((k, j, row) => rowsA(k, j, row, 0), sa, a.shape);
  fft.forward((k, j, row) => rowsB(k, j, row, 0), sb, b.shape);
  const hx = fft.halfX;
  const gz = gaussianWeights(n[0], smoothing), gy = gaussianWeights(n[1], smoothing), gx = gaussianWeights(n[2], smoothing);
  for (let kz = 0, p = 0; kz < n[0]; kz++)
    for (let ky = 0; ky < n[1]; ky++) {
      const wzy = gz[kz] * gy[ky];
      for (let kx = 0; kx < hx; kx++, p += 2) {
        const ar = sa[p], ai = sa[p + 1], br = sb[p], bi = -sb[p + 1];
        const re = ar * br - ai * bi;
        const im = ar * bi + ai * br;
        const mag = Math.sqrt(re * re + im * im);
        if (mag > 1e-30) {
          const w = (wzy * gx[kx]) / mag;
          sa[p] = re * w;
          sa[p + 1] = im * w;
        } else {
          sa[p] = 0;
          sa[p + 1] = 0;
        }
      }
    }
  const corr = new Float64Array(n[0] * n[1] * n[2]);
  fft.inverse(sa, corr);
  return corr;
}

/** exp(−2π²σ²f²) for the n frequencies of one axis (f = min(k, n − k)/n): a Gaussian blur of σ voxels. */
function gaussianWeights(n: number, sigma: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const f = Math.min(k, n - k) / n;
    w[k] = Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * f * f);
  }
  return w;
}

/**
 * The k largest local maxima (periodic 3^d neighbourhood over axes longer than 1), best first.
 * With `rowMax` (each row's largest value), rows that cannot hold a better peak are skipped.
 */
function topLocalMaxima(c: Float32Array | Float64Array, n: Vec3, k: number, rowMax?: Float32Array): PhasePeak[] {
  const [nz, ny, nx] = n;
  const offs: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        if ((dz && nz === 1) || (dy && ny === 1) || (dx && nx === 1) || (!dz && !dy && !dx)) continue;
        offs.push([dz, dy, dx]);
      }
  const best: PhasePeak[] = [];
  let floor = -Infinity;
  for (let z = 0, o = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      if (rowMax && best.length >= k && rowMax[z * ny + y] <= floor) {
        o += nx;
        continue;
      }
      for (let x = 0; x < nx; x++, o++) {
        const v = c[o];
        if (v <= floor && best.length >= k) continue;
        let isMax = true;
        for (const [dz, dy, dx] of offs) {
          const q = ((((z + dz + nz) % nz) * ny + ((y + dy + ny) % ny)) * nx) + ((x + dx + nx) % nx);
          // Ties break towards the lower index so a plateau yields one peak.
          if (c[q] > v || (c[q] === v && q < o)) {
            isMax = false;
            break;
          }
        }
        if (!isMax) continue;
        let at = best.length;
        while (at > 0 && best[at - 1].value < v) at--;
        best.splice(at, 0, { shift: [z, y, x], value: v });
        if (best.length > k) best.pop();
        if (best.length >= k) floor = best[best.length - 1].value;
      }
    }
  return best;
}

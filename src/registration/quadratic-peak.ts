/**
 * Sub-voxel position of a maximum from samples on the 3^d grid of offsets {-1, 0, 1} around it:
 * a least-squares fit of q(x) = c + g·x + ½ xᵀ H x (cross terms included, so a tilted, elongated
 * correlation peak is located correctly), then x* = -H⁻¹ g. On the symmetric grid the normal
 * equations decouple, so each coefficient is one weighted sum. Falls back to independent 1-D
 * parabolas when the fit is not a maximum or lands farther than one voxel.
 */

/**
 * `samples[idx]` with idx = Σ (o_i + 1)·3^(d-1-i) for offsets o ∈ {-1,0,1}^d (first axis slowest).
 * Returns the offset of the maximum per axis, each within [-1, 1].
 */
export function quadraticPeak(samples: ArrayLike<number>, d: number): number[] {
  const m = 3 ** d;
  const { g, H } = quadraticFit(samples, d);
  const x = solveNegDefinite(H, g);
  if (x && x.every((v) => Math.abs(v) <= 1)) return x;
  // Fallback: 1-D parabola along each axis through the centre line.
  const centre = (m - 1) / 2;
  return Array.from({ length: d }, (_, i) => {
    const step = 3 ** (d - 1 - i);
    const fm = samples[centre - step], f0 = samples[centre], fp = samples[centre + step];
    const den = fm - 2 * f0 + fp;
    if (!(den < 0)) return 0;
    return Math.max(-0.5, Math.min(0.5, (fm - fp) / (2 * den)));
  });
}

/** Gradient g and Hessian H of the least-squares quadratic through the 3^d samples (same layout as quadraticPeak). */
export function quadraticFit(samples: ArrayLike<number>, d: number): { g: number[]; H: number[][] } {
  const m = 3 ** d;
  const offsets: number[][] = [];
  for (let idx = 0; idx < m; idx++) {
    const o: number[] = [];
    let r = idx;
    for (let i = d - 1; i >= 0; i--) {
      o[i] = (r % 3) - 1;
      r = Math.floor(r / 3);
    }
    offsets.push(o);
  }
  const g = new Array<number>(d).fill(0);
  const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const sumX2 = 2 * 3 ** (d - 1);
  const sumU2 = (2 / 3) * 3 ** (d - 1);
  const sumXY2 = 4 * 3 ** (d - 2);
  for (let idx = 0; idx < m; idx++) {
    const f = samples[idx];
    const o = offsets[idx];
    for (let i = 0; i < d; i++) {
      g[i] += (f * o[i]) / sumX2;
      H[i][i] += (2 * f * (o[i] * o[i] - 2 / 3)) / sumU2;
      for (let j = i + 1; j < d; j++) H[i][j] += (f * o[i] * o[j]) / sumXY2;
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) H[i][j] = H[j][i];
  return { g, H };
}

/**
 * Sharpness of a maximum: the smallest over the largest curvature (eigenvalues of −H, Jacobi
 * rotations). Near 0 the correlation is a ridge: the overlap holds structure along one direction
 * only (one vessel), and the shift along it is not determined. ≤ 0 when H is not a maximum.
 */
export function peakIsotropy(H: number[][]): number {
  const d = H.length;
  const A = H.map((row) => row.map((v) => -v));
  for (let sweep = 0; sweep < 20; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += A[p][q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = A[k][p], akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = A[p][k], aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
      }
  }
  const ev = A.map((row, i) => row[i]);
  const max = Math.max(...ev), min = Math.min(...ev);
  return max > 0 ? min / max : 0;
}

/** x = -H⁻¹ g when -H is positive definite (Cholesky), else undefined. */
function solveNegDefinite(H: number[][], g: number[]): number[] | undefined {
  const d = g.length;
  const L = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = -H[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) return undefined;
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  // (-H) x = g
  const y = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = g[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

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

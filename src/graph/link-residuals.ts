import type { LinkSystem } from './solve-positions.js';

/**
 * Residuals of the links at positions x, and each link's *discrepancy*: how far its shift is from
 * what the rest of the graph says.
 *
 * A least-squares fit absorbs part of a wrong link: its residual r_e is only (1 − h_e) of its
 * error, where h_e = w_e · R_e is the link's leverage (R_e: the effective resistance between its
 * tiles). In a cubic grid h ≈ 1/3, so a link 5 voxels off shows a residual of ~3.3 voxels and
 * would slip under a 3.5-voxel threshold. The deleted (leave-one-out) residual r_e / (1 − h_e)
 * undoes this (R. D. Cook, S. Weisberg (1982), Residuals and Influence in Regression, Chapman &
 * Hall, §2.2). h_e = w_e / (w_e + C_e), C_e being the conductance between the link's tiles
 * through the rest of the graph, approximated by the other links at each end in series with a
 * perfectly conducting bulk: 1/C_e ≈ 1/(D_a − w_e) + 1/(D_b − w_e) (D: weighted degree).
 * This gives h = 0.29 in a cubic grid (exact: 1/3, R. M. Foster (1949), "The average impedance of
 * an electrical network", Contributions to Applied Mechanics, 333–340) and 0.4 in a square grid
 * (exact 1/2): slightly low, so discrepancies are never overstated; it is near exact for a tile
 * hanging by two links, where the correlation then decides. h is capped at 0.9 so that
 * near-bridges stay finite (true bridges have residual 0).
 */
export interface LinkResiduals {
  /** x_b − x_a − shift, interleaved (dz, dy, dx), length 3m (0 for inactive links). */
  error: Float64Array;
  /** ‖error‖ in voxels, length m. */
  residual: Float64Array;
  /** residual / (1 − h), voxels, length m. */
  discrepancy: Float64Array;
}

export const MAX_LEVERAGE = 0.9;

export function linkResiduals(sys: LinkSystem, x: Float64Array): LinkResiduals {
  const { n, a, b, shift, weight } = sys;
  const m = a.length;
  const degree = new Float64Array(n);
  for (let e = 0; e < m; e++) {
    degree[a[e]] += weight[e];
    degree[b[e]] += weight[e];
  }
  const error = new Float64Array(3 * m);
  const residual = new Float64Array(m);
  const discrepancy = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const w = weight[e];
    if (w === 0) continue;
    const ia = 3 * a[e], ib = 3 * b[e];
    let s2 = 0;
    for (let k = 0; k < 3; k++) {
      const d = x[ib + k] - x[ia + k] - shift[3 * e + k];
      error[3 * e + k] = d;
      s2 += d * d;
    }
    const r = Math.sqrt(s2);
    residual[e] = r;
    const ra = degree[a[e]] - w, rb = degree[b[e]] - w;
    const conductance = ra > 1e-12 && rb > 1e-12 ? 1 / (1 / ra + 1 / rb) : 0;
    const h = Math.min(MAX_LEVERAGE, w / (w + conductance));
    discrepancy[e] = r / (1 - h);
  }
  return { error, residual, discrepancy };
}

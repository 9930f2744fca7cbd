/**
 * Blending weight profiles. A tile's weight falls from 1 inside to ~0 at its border over `width`
 * voxels, so that overlapping tiles hand over smoothly instead of leaving a step at the seam.
 * `cosine` is the raised-cosine ramp of BigStitcher's fusion (Hörl et al., Nat. Methods 16, 2019,
 * doi:10.1038/s41592-019-0501-0); `linear` a straight ramp (Preibisch et al., Bioinformatics 25,
 * 2009, doi:10.1093/bioinformatics/btp184).
 */
export type BlendMode = 'average' | 'linear' | 'cosine' | 'max' | 'first';

export const BLEND_MODES: readonly BlendMode[] = ['average', 'linear', 'cosine', 'max', 'first'];

/** A valid sample never gets zero weight, so a voxel covered by a single tile always shows it. */
export const MIN_WEIGHT = 1e-6;

/**
 * Weight for a sample `distance` voxels inside the tile border (the border lies half a voxel
 * outside the first and last voxel centres).
 */
export function blendWeight(mode: BlendMode, distance: number, width: number): number {
  if (mode !== 'linear' && mode !== 'cosine') return 1;
  if (width <= 0) return 1;
  const u = Math.max(0, Math.min(1, distance / width));
  return mode === 'linear' ? u : 0.5 - 0.5 * Math.cos(Math.PI * u);
}

/** Distance of tile-local coordinate `c` to the nearer border of an axis of `n` voxels. */
export function borderDistance(c: number, n: number): number {
  return Math.min(c + 0.5, n - 0.5 - c);
}

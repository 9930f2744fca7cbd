import { z } from 'zod';

/** `registration:` section. Every default lives here (resolved once by zod). */
export const RegistrationSettingsSchema = z
  .strictObject({
    /** Block-average factors (z, y, x) applied to both overlap boxes before the FFT. */
    downsample: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]).default([1, 2, 2]),
    /** Number of phase-correlation peaks checked by normalised cross-correlation. */
    peaks: z.number().int().min(1).max(64).default(5),
    /** Pairs whose best normalised cross-correlation is below this are rejected. */
    min_correlation: z.number().min(-1).max(1).default(0.3),
    /**
     * `fixed`: reject below min_correlation. `permutation`: also estimate a per-campaign threshold
     * from the correlation of deliberately non-overlapping regions and use the larger of the two.
     */
    threshold: z.enum(['fixed', 'permutation']).default('fixed'),
    /** Minimum overlap for a pair: voxels per axis when >= 1, else a fraction of the smaller tile. */
    min_overlap: z.number().positive().default(0.02),
    /**
     * Pairs whose nominal overlap volume is below this share of the largest overlap of either tile
     * (the edge and corner slivers of a grid) are not registered, unless the tiles would otherwise
     * be unconnected: they cost a job each and add little to the global solve. 0 registers every
     * overlapping pair (as before 2026-12).
     */
    min_overlap_share: z.number().min(0).max(1).default(0.25),
    /** Search margin (z, y, x) in voxels: the largest stage error expected. Default: 10 % of the tile, >= 16. */
    search_margin: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).optional(),
    /** Default search margin as a fraction of the larger tile's extent per axis (when search_margin is not given). */
    search_margin_fraction: z.number().min(0).max(1).default(0.1),
    /** Smallest default search margin, voxels (axes of one plane get 0). */
    search_margin_min: z.number().min(0).default(16),
    /**
     * A pair whose best match lies beyond its search margin is searched again once with the margin
     * times this (1: never), up to `search_margin_max_fraction` of the tile: a strong, correct peak
     * just past the border is kept instead of thrown away.
     */
    search_margin_widen: z.number().min(1).default(2),
    /** Bound of the widened margin as a fraction of the larger tile's extent per axis. */
    search_margin_max_fraction: z.number().min(0).max(1).default(0.3),
    /** Gaussian smoothing (σ, voxels after downsampling) of the phase-correlation surface. */
    peak_smoothing: z.number().min(0).default(1),
    /** Fraction of each overlap axis tapered at each end by the Tukey apodisation window. */
    apodization: z.number().min(0).max(0.5).default(0.05),
    /**
     * Sub-voxel refinement around the best integer shift: `gradient` (symmetric gradient step over the
     * overlap), `quadratic` (quadratic fit of the NCC on the 3^d neighbourhood) or `none`.
     */
    subvoxel: z.enum(['gradient', 'quadratic', 'none']).default('gradient'),
    /**
     * Reject a pair whose correlation peak has smallest/largest curvature not above this: a ridge
     * (e.g. one vessel along the overlap) leaves the shift along it undetermined. Slightly negative
     * by default: the curvature across a thin vessel is noisy, so only a clear saddle is rejected.
     */
    min_isotropy: z.number().min(-1).max(1).default(-0.05),
    /** Smallest overlap per axis (voxels, capped at the tile's extent) left by a measured shift; less is rejected. */
    min_overlap_measured: z.number().int().min(1).default(8),
    /**
     * Coarse-to-fine: a pair is phase correlated at the coarsest level whose overlap box still holds
     * this many voxels, then refined at full resolution in small windows. Overlaps smaller than this
     * at full resolution are registered whole at full resolution, as before.
     */
    coarse_voxels: z.number().int().min(4096).default(32768),
    /** Refinement windows per pair (at most; placed where the overlap has texture). */
    windows: z.number().int().min(1).max(64).default(8),
    /** Largest refinement window extent per axis, voxels. */
    window_size: z.number().int().min(16).max(1024).default(64),
    /**
     * Memory budget of one pair job, MiB: the level and the windows are chosen to fit it; a pair that
     * fits at no level is an error naming it. The default lets 2 workers run on an 8 GB machine.
     */
    memory_mb: z.number().int().min(16).default(1536),
    /** `permutation`: how many non-overlapping region pairs to sample (spread over the campaign). */
    permutation_samples: z.number().int().min(1).default(32),
    /** `permutation`: the threshold is this quantile of the null correlations (1 = their maximum). */
    permutation_quantile: z.number().min(0.5).max(1).default(1),
  })
  .prefault({});

export type RegistrationSettings = z.infer<typeof RegistrationSettingsSchema>;

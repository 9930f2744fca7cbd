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
    /** Search margin (z, y, x) in voxels: the largest stage error expected. Default: 10 % of the tile, >= 16. */
    search_margin: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).optional(),
  })
  .prefault({});

export type RegistrationSettings = z.infer<typeof RegistrationSettingsSchema>;

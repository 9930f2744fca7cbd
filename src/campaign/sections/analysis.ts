import { z } from 'zod';

/** `analysis:` section. */
export const AnalysisSettingsSchema = z
  .strictObject({
    /** `otsu`, a number (fixed threshold), or `pNN` (percentile, e.g. p95). */
    threshold: z.union([z.literal('otsu'), z.number(), z.string().regex(/^p\d+(\.\d+)?$/)]).default('otsu'),
    /** Gaussian pre-filter sigma in voxels (0: none). */
    smooth_sigma: z.number().min(0).default(0),
    min_size: z.number().int().min(0).default(100),
    max_size: z.number().int().positive().optional(),
    connectivity: z.union([z.literal(6), z.literal(26)]).default(26),
    fill_holes: z.boolean().default(false),
    /** Terminal branches shorter than this (µm) are pruned. */
    prune_length_um: z.number().min(0).default(0),
    /** Block edge (voxels) for block-wise analysis of large volumes. */
    block: z.number().int().positive().default(128),
    enabled: z.boolean().default(true),
  })
  .prefault({});

export type AnalysisSettings = z.infer<typeof AnalysisSettingsSchema>;

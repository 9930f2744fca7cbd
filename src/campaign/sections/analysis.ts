import { z } from 'zod';
import { SegmentationSettingsSchema } from '../../segmentation/segmentation-settings.js';

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
    /** Binary opening / closing by the 6-connected cross, repeated this many times (0: none). */
    open_radius: z.number().int().min(0).default(0),
    close_radius: z.number().int().min(0).default(0),
    /** Terminal branches shorter than this (µm) are pruned. */
    prune_length_um: z.number().min(0).default(0),
    /** Terminal branches shorter than this multiple of their junction's radius are pruned (0: off): thinning leaves short spurs on surface bumps. */
    prune_radius_factor: z.number().min(0).default(1.5),
    /** Half-width (voxels) of the moving average over a branch's voxels before measuring its length (0: 26-neighbour steps). */
    length_smoothing: z.number().int().min(0).default(2),
    /** Block edge (voxels) for block-wise analysis of large volumes. */
    block: z.number().int().positive().default(128),
    /** Extra voxels read around each block so thinning and radii near its faces match the whole volume. */
    halo: z.number().int().min(1).default(16),
    /** Bins of the intensity histogram behind Otsu and percentile thresholds. */
    histogram_bins: z.number().int().min(16).default(4096),
    /** graph.graphml and graph.gexf are skipped (with a message) above this many branches; the CSV tables remain. */
    export_max_branches: z.number().int().min(0).default(5_000_000),
    /** skeleton.swc is skipped (with a message) above this many skeleton voxels. */
    export_max_swc_samples: z.number().int().min(0).default(50_000_000),
    /** How the mask is made (otsu | threshold | vesselness | classifier): src/segmentation. */
    segmentation: SegmentationSettingsSchema,
    /**
     * Whether `run` analyses the stitched volume. Unset: yes for a 3-D campaign, no for a 2-D
     * mosaic (a vessel network of a flat image means nothing); true or false to choose.
     */
    enabled: z.boolean().optional(),
  })
  .prefault({});

export type AnalysisSettings = z.infer<typeof AnalysisSettingsSchema>;

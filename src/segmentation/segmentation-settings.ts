import { z } from 'zod';

/** Segmentation methods: how a block's mask is made. */
export const SEGMENTATION_METHODS = ['otsu', 'threshold', 'vesselness', 'classifier'] as const;
export type SegmentationMethod = (typeof SEGMENTATION_METHODS)[number];

/**
 * `analysis.segmentation:` of the campaign YAML (and `stitchgraph analyze --segmentation ...`).
 * Without `method`, the older `analysis.threshold` decides: `otsu` → otsu, else threshold.
 */
export const SegmentationSettingsSchema = z
  .strictObject({
    method: z.enum(SEGMENTATION_METHODS).optional(),
    /** Classifier training labels (0 unlabelled, 1 background, 2 structure): a TIFF or `store.zarr#path`, relative to the YAML. */
    labels: z.string().optional(),
    /** A classifier model file to apply (instead of training from `labels`). */
    model: z.string().optional(),
    /** Feature scales (classifier) or tube scales (vesselness), µm. @default classifier [0.7, 1.6, 3.5], vesselness [1, 2, 3, 4], times the finest voxel edge */
    sigmas_um: z.array(z.number().positive()).min(1).optional(),
    /** Rule on the response: `otsu`, a number or pNN. Default: vesselness half the Otsu level of its response; classifier 0.5 (probability of structure). */
    threshold: z.union([z.literal('otsu'), z.number(), z.string().regex(/^p\d+(\.\d+)?$/)]).optional(),
    /** Random forest size. */
    trees: z.number().int().min(1).default(48),
    max_depth: z.number().int().min(1).max(40).default(12),
    /**
     * Block edge (voxels) of the segmentation jobs and the mask's chunks. Features need a halo of
     * about 6.5 × the largest σ (23 voxels at σ 3.5): 96³ blocks read 2.9 M voxels for 0.9 M and
     * take about 0.3 GB while their features are computed; smaller blocks spend more on halos.
     */
    block: z.number().int().min(8).default(96),
  })
  .prefault({});

export type SegmentationSettings = z.infer<typeof SegmentationSettingsSchema>;

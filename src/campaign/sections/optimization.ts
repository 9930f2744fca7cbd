import { z } from 'zod';

/**
 * `optimization:` section (global positions from the pairs; docs/optimize.md).
 * Thresholds follow Fiji's Stitching plugin (absolute displacement 3.5, max/avg displacement 2.5;
 * max_ratio a little more lenient since it applies to discrepancies, which run larger than
 * residuals): links that disagree by more are dropped, worst first.
 */
export const OptimizationSettingsSchema = z
  .strictObject({
    /** A link is dropped only while its discrepancy (voxels from what the other links say) exceeds this ... */
    max_error: z.number().positive().default(3.5),
    /** ... and this many times the mean discrepancy ... */
    max_ratio: z.number().positive().default(3.0),
    /** ... and this floor: links closer than this (voxels) are never dropped. */
    residual_floor: z.number().min(0).default(0.75),
    /** Weight of the weak links that keep groups and loners at their stage positions (measured links weigh their correlation, ≤ 1). */
    nominal_weight: z.number().min(0).default(1e-3),
    /**
     * `stage`: groups without a measured link to the main group are placed by weak links from the
     * stage positions of their neighbours. `first_tile`: every group's first tile keeps its nominal
     * position (the literal contract, ignoring the stage relation between groups).
     */
    group_placement: z.enum(['stage', 'first_tile']).default('stage'),
    /** Safety stop for link pruning (rounds of re-solving). */
    max_rounds: z.number().int().min(0).default(1000),
  })
  .prefault({});

export type OptimizationSettings = z.infer<typeof OptimizationSettingsSchema>;

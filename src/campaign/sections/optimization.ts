import { z } from 'zod';

/** `optimization:` section. */
export const OptimizationSettingsSchema = z
  .strictObject({
    /** A link is dropped only while its residual (voxels) exceeds this ... */
    max_error: z.number().positive().default(3.5),
    /** ... and this many times the mean residual. */
    max_ratio: z.number().positive().default(3.0),
    /** Links with residual below this are never dropped (voxels). */
    residual_floor: z.number().min(0).default(0.75),
    /** Weight of the weak links that keep groups and loners at their stage positions. */
    nominal_weight: z.number().min(0).default(1e-3),
  })
  .prefault({});

export type OptimizationSettings = z.infer<typeof OptimizationSettingsSchema>;

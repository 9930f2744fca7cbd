import { z } from 'zod';
import type { PairJobPayload } from './register-pair.js';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const box3 = z.object({ start: vec3, size: vec3 });

/**
 * The `register-pair` payload, checked by the coordinator (register-campaign) when it builds a job
 * and by the worker (register-pair-job) before it runs one. Loose: fields added later pass through.
 */
export const PairJobPayloadSchema = z.looseObject({
  campaign: z.string().min(1),
  a: z.string(),
  b: z.string(),
  boxA: box3,
  boxB: box3,
  nominalShift: vec3,
  margin: vec3,
  minOverlap: vec3,
  params: z.looseObject({
    downsample: vec3,
    peaks: z.number().int().min(1),
    apodization: z.number(),
    peak_smoothing: z.number(),
    min_correlation: z.number(),
    min_isotropy: z.number(),
    subvoxel: z.enum(['gradient', 'quadratic', 'none']),
  }),
  key: z.string(),
  sample: z.literal('null').optional(),
}) satisfies z.ZodType<PairJobPayload>;

import { z } from 'zod';
import type { FuseBlockPayload } from './fuse-block-job.js';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

/**
 * The `fuse-block` payload, checked by the coordinator (fuse-volume) and the worker
 * (fuse-block-job). Loose: fields added later pass through.
 */
export const FuseBlockPayloadSchema = z.looseObject({
  campaign: z.string().min(1),
  positions: z.string().nullable(),
  fingerprint: z.string(),
  out: z.string().min(1),
  level: z.number().int().min(0),
  blocks: z.array(vec3).min(1),
  options: z.looseObject({
    blend: z.enum(['average', 'linear', 'cosine', 'max', 'first']),
    blendWidth: z.number(),
    level: z.number().int().min(0),
    dtype: z.enum(['uint8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']),
    interpolation: z.enum(['nearest', 'linear']),
    fillValue: z.number(),
    intensityCorrection: z.boolean(),
  }),
}) satisfies z.ZodType<FuseBlockPayload>;

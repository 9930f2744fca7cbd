import { z } from 'zod';
import type { PyramidBlockPayload } from './build-pyramid-block.js';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** The `pyramid-block` payload, checked by the coordinator (build-pyramids) and the worker (pyramid-block-job). */
export const PyramidBlockPayloadSchema = z.looseObject({
  campaign: z.string().min(1),
  tile: z.string(),
  store: z.string().min(1),
  level: z.number().int().min(1),
  block: vec3,
  blockShape: vec3,
  sourceFactors: vec3,
  factors: vec3,
  readConcurrency: z.number().int().min(1),
}) satisfies z.ZodType<PyramidBlockPayload>;

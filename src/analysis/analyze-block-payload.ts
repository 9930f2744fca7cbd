import { z } from 'zod';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const box3 = z.object({ start: vec3, size: vec3 });

/**
 * The `analyze-block` payload, checked by the coordinator (analyze-volume) and the worker
 * (analyze-block-job). Phase parameters stay optional as each phase needs its own. Loose: fields
 * added later pass through.
 */
export const AnalyzeBlockPayloadSchema = z.looseObject({
  phase: z.enum(['range', 'histogram', 'analyze']),
  source: z.discriminatedUnion('kind', [
    z.looseObject({ kind: z.literal('zarr'), store: z.string(), path: z.string() }),
    z.looseObject({ kind: z.literal('local'), token: z.string(), id: z.string().optional() }),
    z.looseObject({ kind: z.literal('stitched'), campaign: z.string(), positions: z.string().optional() }),
  ]),
  volumeShape: vec3,
  core: box3,
  smooth_sigma: z.number().min(0),
  resultPath: z.string().optional(),
  resultKey: z.string().optional(),
});

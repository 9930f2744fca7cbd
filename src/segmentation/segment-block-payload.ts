import { z } from 'zod';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const box3 = z.object({ start: vec3, size: vec3 });

/**
 * The `segment-block` payload, checked by the coordinator (segment-volume) and the worker
 * (segment-block-job) with this one schema. Each phase's own fields are required for that phase;
 * loose objects, so fields added later pass through.
 */
export const SegmentBlockPayloadSchema = z
  .looseObject({
    phase: z.enum(['range', 'histogram', 'segment']),
    source: z.discriminatedUnion('kind', [
      z.looseObject({ kind: z.literal('zarr'), store: z.string(), path: z.string() }),
      z.looseObject({ kind: z.literal('local'), token: z.string(), id: z.string().optional() }),
      z.looseObject({ kind: z.literal('stitched'), campaign: z.string(), positions: z.string().optional() }),
      z.looseObject({ kind: z.literal('tiff'), file: z.string() }),
    ]),
    volumeShape: vec3,
    voxelSize: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
    core: box3,
    response: z.looseObject({ method: z.enum(['threshold', 'vesselness', 'classifier']) }),
    modelPath: z.string().optional(),
    ignore_value: z.number().optional(),
    lo: z.number().optional(),
    hi: z.number().optional(),
    bins: z.number().int().positive().optional(),
    mask: z.looseObject({ threshold: z.number(), open_radius: z.number(), close_radius: z.number(), fill_holes: z.boolean() }).optional(),
    outArray: z.string().optional(),
  })
  .superRefine((p, ctx) => {
    const need = (ok: boolean, path: string, message: string) => ok || ctx.addIssue({ code: 'custom', path: [path], message });
    need(p.response.method !== 'classifier' || p.modelPath !== undefined, 'modelPath', 'the classifier method needs the model file');
    if (p.phase === 'histogram') need(p.bins !== undefined && p.lo !== undefined && p.hi !== undefined, 'bins', 'the histogram phase needs bins, lo and hi');
    if (p.phase === 'segment') need(p.mask !== undefined && p.outArray !== undefined, 'mask', 'the segment phase needs mask and outArray');
  });

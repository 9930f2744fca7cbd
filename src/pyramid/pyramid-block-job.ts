import type { JobHandler } from '../distributed/job-handlers.js';
import { buildPyramidBlock } from './build-pyramid-block.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { PyramidBlockPayloadSchema } from './pyramid-block-payload.js';

/** The `pyramid-block` job kind: one block of one level of one tile's pyramid. */
export const pyramidBlockHandler: JobHandler = (payload, ctx) => buildPyramidBlock(parseJobPayload('pyramid-block', PyramidBlockPayloadSchema, payload), ctx.signal);

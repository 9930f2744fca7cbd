import type { JobHandler } from '../distributed/job-handlers.js';
import { buildPyramidBlock, type PyramidBlockPayload } from './build-pyramid-block.js';

/** The `pyramid-block` job kind: one block of one level of one tile's pyramid. */
export const pyramidBlockHandler: JobHandler = (payload, ctx) => buildPyramidBlock(payload as PyramidBlockPayload, ctx.signal);

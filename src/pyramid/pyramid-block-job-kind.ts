// The `pyramid-block` job kind, registered by the stage that owns it (imported by build-pyramids and src/job-kinds.ts).
import { registerJobKind } from '../distributed/job-handlers.js';

registerJobKind('pyramid-block', async () => (await import('./pyramid-block-job.js')).pyramidBlockHandler, import.meta.url);

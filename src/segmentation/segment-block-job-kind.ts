// The `segment-block` job kind, registered by the stage that owns it (imported by segment-volume and src/job-kinds.ts).
import { registerJobKind } from '../distributed/job-handlers.js';

registerJobKind('segment-block', async () => (await import('./segment-block-job.js')).runSegmentBlockJob, import.meta.url);

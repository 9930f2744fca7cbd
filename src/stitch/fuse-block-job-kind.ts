// The `fuse-block` job kind, registered by the stage that owns it (imported by fuse-volume and src/job-kinds.ts).
import { registerJobKind } from '../distributed/job-handlers.js';

registerJobKind('fuse-block', async () => (await import('./fuse-block-job.js')).fuseBlockHandler, import.meta.url);

// The `analyze-block` job kind, registered by the stage that owns it (imported by analyze-volume and src/job-kinds.ts).
import { registerJobKind } from '../distributed/job-handlers.js';

registerJobKind('analyze-block', async () => (await import('./analyze-block-job.js')).runAnalyzeBlockJob, import.meta.url);

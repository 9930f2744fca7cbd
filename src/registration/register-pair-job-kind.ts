// The `register-pair` job kind, registered by the stage that owns it (imported by register-campaign and src/job-kinds.ts).
import { registerJobKind } from '../distributed/job-handlers.js';

registerJobKind('register-pair', async () => (await import('./register-pair-job.js')).registerPairJob, import.meta.url);

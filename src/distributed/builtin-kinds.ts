import { registerJobKind } from './job-handlers.js';

// Each stage registers its job kinds here (one line each), so every executor and worker knows them.
registerJobKind('echo', async () => async (payload) => {
  const p = payload as { value?: unknown; fail?: string; sleep_ms?: number };
  if (p.sleep_ms) await new Promise((r) => setTimeout(r, p.sleep_ms));
  if (p.fail) throw new Error(p.fail);
  return p.value;
});
registerJobKind('segment-block', async () => (await import('../segmentation/segment-block-job.js')).runSegmentBlockJob);
registerJobKind('analyze-block', async () => (await import('../analysis/analyze-block-job.js')).runAnalyzeBlockJob);
registerJobKind('fuse-block', async () => (await import('../stitch/fuse-block-job.js')).fuseBlockHandler);
registerJobKind('pyramid-block', async () => (await import('../pyramid/pyramid-block-job.js')).pyramidBlockHandler);
registerJobKind('register-pair', async () => (await import('../registration/register-pair-job.js')).registerPairJob);
registerJobKind('checksum', async () => {
  const { checksum } = await import('./checksum-kind.js');
  return async (payload) => checksum(payload as Parameters<typeof checksum>[0]);
});

import { registerJobKind } from './job-handlers.js';

// The executor's own kinds (tests, benchmarks). Stages register theirs in their own `*-job-kind.ts`
// (listed in src/job-kinds.ts): this folder imports no stage.
registerJobKind('echo', async () => async (payload) => {
  const p = payload as { value?: unknown; fail?: string; sleep_ms?: number };
  if (p.sleep_ms) await new Promise((r) => setTimeout(r, p.sleep_ms));
  if (p.fail) throw new Error(p.fail);
  return p.value;
});
registerJobKind('checksum', async () => {
  const { checksum } = await import('./checksum-kind.js');
  return async (payload) => checksum(payload as Parameters<typeof checksum>[0]);
});

import type { KV } from '@nats-io/kv';
import { HEARTBEAT_MS, type RunEntry } from './_nats-records.js';
import { getLogger } from '../log.js';

/**
 * Refresh a run entry's `heartbeat` on a timer while its coordinator waits; returns the stop
 * function. A server that is away is not an error here: the next beat tries again.
 */
export function heartbeatRunEntry(runsKv: KV, entry: RunEntry): () => void {
  const timer = setInterval(() => {
    void runsKv.put(entry.runId, JSON.stringify({ ...entry, heartbeat: new Date().toISOString() })).catch((err: unknown) => getLogger().debug({ error: (err as Error).message, runId: entry.runId }, 'cannot refresh the run heartbeat'));
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

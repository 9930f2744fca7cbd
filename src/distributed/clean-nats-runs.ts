import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsSession } from './nats-connect.js';
import { natsNames } from './nats-names.js';
import { listNatsRuns, type ListNatsRunsOptions, type NatsRunInfo } from './list-nats-runs.js';

export interface CleanNatsRunsOptions extends ListNatsRunsOptions {
  /** Only these run ids (any state but active). @default every run that is not active */
  runs?: string[];
}

/**
 * Delete what finished or abandoned runs left on the server: their queue stream, results bucket
 * and runs entry. Active runs are never touched. Returns the runs removed.
 */
export async function cleanNatsRuns(session: NatsSession, opts: CleanNatsRunsOptions = {}): Promise<NatsRunInfo[]> {
  const all = await listNatsRuns(session, opts);
  const chosen = all.filter((r) => r.state !== 'active' && (!opts.runs || opts.runs.includes(r.runId)));
  const runsKv = await new Kvm(jetstream(session.nc)).open(natsNames(opts.prefix ?? 'stitchgraph', '').runsBucket).catch(() => undefined);
  for (const r of chosen) {
    // The entry first: workers stop pulling before the queue disappears under them.
    await runsKv?.purge(r.runId).catch(() => {});
    for (const s of r.streams) await session.jsm.streams.delete(s).catch(() => {});
  }
  return chosen;
}

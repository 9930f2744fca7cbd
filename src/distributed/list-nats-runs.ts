import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsSession } from './nats-connect.js';
import { natsNames } from './nats-names.js';
import { HEARTBEAT_MS, type RunEntry } from './_nats-records.js';
import { fromWireJson } from './wire-json.js';

/**
 * - `active`: announced, its coordinator's heartbeat is fresh;
 * - `abandoned`: announced, but no heartbeat for `staleAfterS` (its coordinator died; rerunning
 *   the same stage adopts it, `nats clean` drops it);
 * - `kept`: finished, results bucket kept (failed jobs or `keep_results`), no queue;
 * - `orphan`: a queue stream nobody announces (a coordinator died while retiring it).
 */
export type NatsRunState = 'active' | 'abandoned' | 'kept' | 'orphan';

export interface NatsRunInfo {
  runId: string;
  state: NatsRunState;
  stage?: string;
  campaign?: string;
  coordinator?: string;
  heartbeat?: string;
  jobs?: number;
  /** Jobs still in the work queue. */
  queued: number;
  /** Result records stored. */
  results: number;
  /** The JetStream streams holding it (queue, results bucket). */
  streams: string[];
}

export interface ListNatsRunsOptions {
  /** Stream and bucket name prefix (`distributed.stream_prefix`). @default 'stitchgraph' */
  prefix?: string;
  /** A heartbeat older than this marks an abandoned run. @default 6 heartbeats (120 s) */
  staleAfterS?: number;
  /** Clock for the heartbeat age (tests). @default Date.now() */
  now?: number;
}

/** Every run on the server under one prefix, announced or left behind, with its state. */
export async function listNatsRuns(session: NatsSession, opts: ListNatsRunsOptions = {}): Promise<NatsRunInfo[]> {
  const prefix = opts.prefix ?? 'stitchgraph';
  const staleMs = (opts.staleAfterS ?? (6 * HEARTBEAT_MS) / 1000) * 1000;
  const now = opts.now ?? Date.now();
  const probe = natsNames(prefix, '');
  const runs = new Map<string, NatsRunInfo>();
  const runOf = (runId: string): NatsRunInfo => {
    let r = runs.get(runId);
    if (!r) runs.set(runId, (r = { runId, state: 'orphan', queued: 0, results: 0, streams: [] }));
    return r;
  };
  for await (const si of session.jsm.streams.list()) {
    const name = si.config.name;
    if (name.startsWith(probe.stream)) {
      const r = runOf(name.slice(probe.stream.length));
      r.streams.push(name);
      r.queued = si.state.messages;
    } else if (name.startsWith(`KV_${probe.resultsBucket}`)) {
      const r = runOf(name.slice(`KV_${probe.resultsBucket}`.length));
      r.streams.push(name);
      r.results = si.state.messages;
      if (r.state === 'orphan') r.state = 'kept';
    }
  }
  for (const r of runs.values()) if (r.streams.some((s) => s.startsWith(probe.stream))) r.state = 'orphan';
  const kv = await new Kvm(jetstream(session.nc)).open(probe.runsBucket).catch(() => undefined);
  const keys = kv ? await kv.keys().catch(() => undefined) : undefined;
  for await (const k of keys ?? []) {
    const e = await kv!.get(k);
    if (e?.operation !== 'PUT') continue;
    const entry = fromWireJson(e.string()) as RunEntry;
    const r = runOf(entry.runId);
    const beat = Date.parse(entry.heartbeat ?? entry.created);
    Object.assign(r, { stage: entry.stage, campaign: entry.campaign, coordinator: entry.coordinator, heartbeat: entry.heartbeat, jobs: entry.jobs });
    r.state = now - beat <= staleMs ? 'active' : 'abandoned';
  }
  return [...runs.values()].sort((a, b) => a.runId.localeCompare(b.runId));
}

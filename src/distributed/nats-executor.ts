import { jetstream, AckPolicy, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { nanos, type Subscription } from '@nats-io/transport-node';
import { Kvm, KvWatchInclude, type KV } from '@nats-io/kv';
import type { Executor, Job, JobOutcome, RunOptions } from './executor.js';
import { apiTimeoutMs, connectNats, type NatsSession } from './nats-connect.js';
import { jobKey, natsNames, type NatsNames } from './nats-names.js';
import { runIdFor } from './run-id.js';
import { NatsWorker } from './nats-worker.js';
import { AsyncQueue } from './_async-queue.js';
import type { ResultRecord, RunEntry } from './_nats-records.js';
import type { NatsSettings } from '../campaign/sections/distributed.js';
import { StitchgraphError } from '../errors.js';
import { fromWireJson, toWireJson } from './wire-json.js';
import { getLogger } from '../log.js';
import { heartbeatRunEntry } from './_run-heartbeat.js';
import { hostname } from 'node:os';

export interface NatsExecutorContext {
  /** Campaign YAML: part of the run id. */
  campaignFile?: string;
  /** Stage label (`register`...): part of the run id. */
  runId?: string;
  /** Modules the in-process workers' threads import first (extra job kinds). */
  preload?: string[];
}

/** Names this process in the runs it coordinates (`nats runs` shows it). */
const COORDINATOR_ID = `${hostname()}-${process.pid}`;

/** How long without a finished job before the coordinator logs why it is waiting. */
const STALL_WARNING_MS = 30_000;

function isNotFound(err: unknown): boolean {
  const e = err as { code?: number; api_error?: { code?: number } };
  return e?.code === 404 || e?.api_error?.code === 404 || /not found/i.test(String((err as Error)?.message));
}

/**
 * The coordinator side of NATS JetStream dispatch (`distributed: { mode: nats }`).
 *
 * One run = one batch of jobs, named by `runIdFor` (campaign + stage + job set):
 * - job descriptors go to the work-queue stream `<prefix>_jobs_<run>` (subject per job key),
 *   consumed by the durable pull consumer `workers` with explicit acks, `ack_wait` and
 *   `max_deliver` from the settings;
 * - workers store one record per job in the KV bucket `<prefix>_results_<run>` before acking;
 * - the run is announced in the KV bucket `<prefix>_runs`, which workers watch.
 * A coordinator restarted on the same run (same campaign, stage and `work`, even with fewer jobs)
 * adopts it: it finds the stored results (they are not recomputed) and only publishes jobs that are
 * neither done nor still queued. While it waits it refreshes the entry's `heartbeat`, so
 * `stitchgraph nats runs` tells a live run from one whose coordinator died. Only JetStream features of
 * nats-server 2.9 are used (no consumer metadata, multi-filter consumers, `term` reasons, message
 * TTLs or priority groups).
 */
export class NatsExecutor implements Executor {
  readonly name = 'nats';
  /** Run id of the last `run()` (tests and logs). */
  lastRunId: string | undefined;
  private readonly js: JetStreamClient;
  private readonly kvm: Kvm;
  private localWorker: NatsWorker | undefined;

  private constructor(
    readonly settings: NatsSettings,
    private readonly context: NatsExecutorContext,
    private readonly session: NatsSession,
  ) {
    this.js = jetstream(session.nc, { timeout: apiTimeoutMs(settings) });
    this.kvm = new Kvm(this.js);
  }

  /** Connect (bounded by `connect_timeout_s`) and start `local_workers` in-process workers. */
  static async connect(settings: NatsSettings, context: NatsExecutorContext = {}): Promise<NatsExecutor> {
    const session = await connectNats(settings, 'stitchgraph coordinator');
    const ex = new NatsExecutor(settings, context, session);
    if (settings.local_workers > 0) {
      ex.localWorker = await NatsWorker.start({ settings, concurrency: settings.local_workers, preload: context.preload, id: `coordinator-${process.pid}` });
    }
    return ex;
  }

  async *run<P, R>(jobs: Job<P>[], opts: RunOptions = {}): AsyncIterable<JobOutcome<R>> {
    const { signal, onProgress } = opts;
    signal?.throwIfAborted();
    if (jobs.length === 0) return;
    const log = getLogger();
    const s = this.settings;
    const byKey = new Map<string, Job<P>>();
    for (const j of jobs) {
      const k = jobKey(j.id);
      if (byKey.has(k)) throw new StitchgraphError('InputError', `Cannot run the batch: job id "${j.id}" appears twice`);
      byKey.set(k, j);
    }
    const runId = runIdFor({ campaignFile: this.context.campaignFile, stage: this.context.runId, jobs: jobs as Job[], work: opts.work });
    this.lastRunId = runId;
    const names = natsNames(s.stream_prefix, runId);
    const { jsm } = this.session;

    const results = await this.kvm.create(names.resultsBucket, { history: 1, storage: StorageType.File });
    await this.ensureStream(names);

    const queue = new AsyncQueue<ResultRecord>();
    // Watch updates before taking the snapshot, so a result landing in between is not missed.
    const watch = await results.watch({ include: KvWatchInclude.UpdatesOnly, ignoreDeletes: true });
    void (async () => {
      for await (const e of watch) if (e.operation === 'PUT') queue.push(fromWireJson(e.string()) as ResultRecord);
    })().catch((err: unknown) => queue.fail(err));
    const advisories = this.watchMaxDeliveries(names, results, byKey);
    const onAbort = () => queue.fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    const outcomes = new Map<string, JobOutcome<R>>();
    const toOutcome = (rec: ResultRecord): JobOutcome<R> =>
      rec.ok
        ? { id: rec.id, ok: true, value: rec.value as R, seconds: rec.seconds, worker: rec.worker, attempts: rec.attempt }
        : { id: rec.id, ok: false, error: rec.error ?? 'failed', seconds: rec.seconds, worker: rec.worker, attempts: rec.attempt };
    let finished = false;
    let stopStallWarning = () => {};
    let stopHeartbeat = () => {};
    try {
      // Snapshot: queued jobs first, then results. A job acked in between has its result stored
      // before the ack, so it is seen as done; nothing is published twice.
      const queued = await this.queuedKeys(names);
      const resumed: JobOutcome<R>[] = [];
      const retry = new Set<string>();
      for await (const k of await results.keys()) {
        if (!byKey.has(k)) continue;
        const e = await results.get(k);
        if (e?.operation !== 'PUT') continue;
        const rec = fromWireJson(e.string()) as ResultRecord;
        if (rec.ok) {
          const o = toOutcome(rec);
          outcomes.set(k, o);
          resumed.push(o);
        } else retry.add(k);
      }
      // Failed in an earlier life of this run: try them again.
      for (const k of retry) {
        await results.delete(k);
        await jsm.streams.purge(names.stream, { filter: `${names.subjectPrefix}.${k}` });
      }
      const runsKv = await this.kvm.create(names.runsBucket, { history: 1 });
      const earlier = await runsKv.get(runId).catch(() => null);
      const adopted = earlier?.operation === 'PUT' ? (fromWireJson(earlier.string()) as RunEntry) : undefined;
      const entry: RunEntry = {
        runId,
        stream: names.stream,
        consumer: names.consumer,
        resultsBucket: names.resultsBucket,
        subjectPrefix: names.subjectPrefix,
        ack_wait_s: s.ack_wait_s,
        max_deliver: s.max_deliver,
        retry_delay_s: s.retry_delay_s,
        jobs: jobs.length,
        campaign: this.context.campaignFile,
        stage: this.context.runId,
        created: adopted?.created ?? new Date().toISOString(),
        coordinator: COORDINATOR_ID,
        heartbeat: new Date().toISOString(),
      };
      await runsKv.put(runId, JSON.stringify(entry));
      stopHeartbeat = heartbeatRunEntry(runsKv, entry);
      const publish = [...byKey].filter(([k]) => !outcomes.has(k) && (retry.has(k) || !queued.has(k)));
      const stamp = Date.now().toString(36);
      for (let i = 0; i < publish.length; i += 256) {
        await Promise.all(
          publish.slice(i, i + 256).map(([k, job]) =>
            this.js.publish(`${names.subjectPrefix}.${k}`, toWireJson({ id: job.id, kind: job.kind, payload: job.payload }), {
              msgID: retry.has(k) ? `${runId}.${k}.${stamp}` : `${runId}.${k}`,
            }),
          ),
        );
      }
      log.info({ runId, jobs: jobs.length, resumed: resumed.length, published: publish.length, adopted: adopted !== undefined, queued: queued.size }, adopted ? `NATS run adopted (its coordinator ${adopted.coordinator ?? '?'} stopped)` : 'NATS run started');

      let done = 0;
      for (const o of resumed) {
        done++;
        onProgress?.(done, jobs.length);
        yield o;
      }
      // No result for a while: say why (no worker pulling is the usual reason), then keep waiting.
      let lastDone = done;
      const stall = setInterval(() => {
        if (done !== lastDone) {
          lastDone = done;
          return;
        }
        void jsm.consumers
          .info(names.stream, names.consumer)
          .then((ci) =>
            log.warn(
              { runId, done, total: jobs.length, queued: ci.num_pending, running: ci.num_ack_pending, pulling: ci.num_waiting },
              ci.num_waiting === 0 && ci.num_ack_pending === 0 ? `no worker is taking jobs: start \`stitchgraph worker --servers ${[s.servers].flat().join(',')}\` or set local_workers` : 'no job finished lately',
            ),
          )
          .catch((err: unknown) => log.warn({ runId, done, total: jobs.length, error: (err as Error).message }, 'cannot reach NATS; waiting for the server to come back (results already stored are kept)'));
      }, STALL_WARNING_MS);
      stopStallWarning = () => clearInterval(stall);
      while (done < jobs.length) {
        const rec = await queue.shift();
        const k = jobKey(rec.id);
        if (!byKey.has(k) || outcomes.has(k)) continue;
        const o = toOutcome(rec);
        outcomes.set(k, o);
        done++;
        onProgress?.(done, jobs.length);
        yield o;
      }
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stopStallWarning();
      stopHeartbeat();
      watch.stop();
      advisories.unsubscribe();
      if (finished) {
        // The run is over: take it off the board and drop its queue; results stay only when useful.
        const failed = [...outcomes.values()].some((o) => !o.ok);
        await this.retire(names, runId, !failed && !s.keep_results).catch((err: unknown) => log.warn({ error: (err as Error).message, runId }, 'cannot clean up the run'));
      }
    }
  }

  async close(): Promise<void> {
    await this.localWorker?.stop();
    await this.session.nc.drain().catch(() => {});
  }

  private async ensureStream(names: NatsNames): Promise<void> {
    const { jsm } = this.session;
    const s = this.settings;
    try {
      await jsm.streams.info(names.stream);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add({
        name: names.stream,
        subjects: [`${names.subjectPrefix}.*`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: nanos(120_000),
      });
    }
    try {
      await jsm.consumers.info(names.stream, names.consumer);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.consumers.add(names.stream, {
        durable_name: names.consumer,
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(s.ack_wait_s * 1000),
        max_deliver: s.max_deliver,
        max_ack_pending: 10_000,
      });
    }
  }

  /** Keys of the jobs still in the work queue (published, not yet acked or termed). */
  private async queuedKeys(names: NatsNames): Promise<Set<string>> {
    const info = await this.session.jsm.streams.info(names.stream, { subjects_filter: `${names.subjectPrefix}.*` });
    const subjects = info.state.subjects ?? {};
    return new Set(Object.keys(subjects).map((subj) => subj.slice(names.subjectPrefix.length + 1)));
  }

  /**
   * A job whose every delivery died with its worker (no nak, no result) is never offered again:
   * the server says so with a MAX_DELIVERIES advisory, and the coordinator records the failure.
   */
  private watchMaxDeliveries<P>(names: NatsNames, results: KV, byKey: Map<string, Job<P>>): Subscription {
    const { nc, jsm } = this.session;
    const s = this.settings;
    return nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${names.stream}.${names.consumer}`, {
      callback: (err, m) => {
        if (err) return;
        void (async () => {
          const adv = m.json<{ stream_seq: number; deliveries: number }>();
          const sm = await jsm.streams.getMessage(names.stream, { seq: adv.stream_seq });
          if (!sm) return;
          const k = sm.subject.slice(names.subjectPrefix.length + 1);
          const job = byKey.get(k);
          if (!job) return;
          const rec: ResultRecord = {
            id: job.id,
            ok: false,
            error: `Cannot run job ${job.id} (${job.kind}): no worker finished it in ${adv.deliveries} deliveries (each stopped answering within ack_wait ${s.ack_wait_s} s: killed, out of memory or stalled)`,
            seconds: 0,
            worker: 'coordinator',
            attempt: adv.deliveries,
          };
          await results.create(k, toWireJson(rec)).catch(() => {});
          await jsm.streams.deleteMessage(names.stream, adv.stream_seq).catch(() => {});
        })().catch((e: unknown) => getLogger().warn({ err: e }, 'cannot record a max-deliveries failure'));
      },
    });
  }

  private async retire(names: NatsNames, runId: string, dropResults: boolean): Promise<void> {
    const runsKv = await this.kvm.open(names.runsBucket);
    await runsKv.delete(runId);
    await this.session.jsm.streams.delete(names.stream).catch(() => {});
    if (dropResults) await this.session.jsm.streams.delete(`KV_${names.resultsBucket}`).catch(() => {});
  }
}

/**
 * Entry of one worker thread of the local pool (`thread-pool.ts`): runs jobs from the job registry
 * one at a time, so a CPU-bound handler never blocks the main thread (progress, NATS heartbeats).
 *
 * Protocol (structured-clone messages):
 *   main → thread  { type: 'run', seq, job }   { type: 'cancel', seq }
 *   thread → main  { type: 'ready' }  { type: 'done', seq, ok, value | error }  { type: 'heartbeat', seq }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getJobHandler } from './job-handlers.js';
import { jobErrorInfo, type JobErrorInfo } from './_job-error.js';
import type { Job } from './executor.js';
import { toWireJson } from './wire-json.js';

export type ToThread = { type: 'run'; seq: number; job: Job } | { type: 'cancel'; seq: number };
export type FromThread =
  | { type: 'ready' }
  | { type: 'heartbeat'; seq: number }
  | { type: 'done'; seq: number; ok: true; json: string }
  | { type: 'done'; seq: number; ok: false; error: JobErrorInfo };

export interface PoolWorkerData {
  /** Module URLs imported before the first job (extra `registerJobKind` calls, e.g. plug-ins, tests). */
  preload: string[];
}

const port = parentPort;
if (!port) throw new Error('Cannot start pool worker: not running in a worker thread');
const data = workerData as PoolWorkerData;
for (const url of data.preload) await import(url);

const controllers = new Map<number, AbortController>();

port.on('message', (msg: ToThread) => {
  if (msg.type === 'cancel') {
    controllers.get(msg.seq)?.abort();
    return;
  }
  const { seq, job } = msg;
  const controller = new AbortController();
  controllers.set(seq, controller);
  const reply = (m: FromThread) => port.postMessage(m);
  void (async () => {
    try {
      const handler = await getJobHandler(job.kind);
      const value = await handler(job.payload, { signal: controller.signal, heartbeat: () => reply({ type: 'heartbeat', seq }) });
      // Values cross in the wire JSON NATS uses too (`wire-json.ts`): every executor gives the
      // same value, and a value neither can carry (a function, a Map) fails the same way.
      reply({ type: 'done', seq, ok: true, json: toWireJson(value) });
    } catch (err) {
      reply({ type: 'done', seq, ok: false, error: jobErrorInfo(err) });
    } finally {
      controllers.delete(seq);
    }
  })();
});
port.postMessage({ type: 'ready' } satisfies FromThread);

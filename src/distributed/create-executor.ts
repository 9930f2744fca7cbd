import type { Executor } from './executor.js';
import { natsSettings, type DistributedSettings, type NatsSettings } from '../campaign/sections/distributed.js';
import { WorkerPoolExecutor } from './worker-pool-executor.js';
import { StitchgraphError } from '../errors.js';

export interface ExecutorOverrides {
  /** `--workers N`: local pool of N workers; with NATS, N in-process workers (`local_workers`). */
  workers?: number;
  /** `--servers URL`: NATS mode with these servers (overrides the campaign). */
  servers?: string;
}

export interface ExecutorContext {
  /** Campaign YAML: part of the NATS run id, so two campaigns never share results. */
  campaignFile?: string;
  /** Stage label (`register`, `fuse`...): part of the NATS run id. */
  runId?: string;
  /** Modules every worker thread imports first: extra job kinds (plug-ins, tests). */
  preload?: string[];
}

/**
 * The executor a stage runs its jobs on: from the campaign's `distributed` section, overridden by
 * the command line. Every stage gets its executor here, so they all honour the same settings.
 * NATS connects here (bounded by `connect_timeout_s`), so an unreachable server fails the stage
 * before any work starts.
 */
export async function createExecutor(settings: DistributedSettings, overrides: ExecutorOverrides = {}, context: ExecutorContext = {}): Promise<Executor> {
  const { workers, servers } = overrides;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || (workers === 0 && servers === undefined && settings.mode === 'local'))) {
    throw new StitchgraphError('UsageError', `Cannot use --workers ${workers}: expected a whole number ≥ 1 (≥ 0 with NATS)`);
  }
  let nats: NatsSettings | undefined;
  if (servers !== undefined) {
    const base = settings.mode === 'nats' ? settings : natsSettings({ servers });
    nats = { ...base, servers };
  } else if (settings.mode === 'nats') nats = settings;
  if (nats) {
    if (workers !== undefined) nats = { ...nats, local_workers: workers };
    // Loaded only in NATS mode: the client library costs a local run ~0.1 s of CPU at start-up.
    const { NatsExecutor } = await import('./nats-executor.js');
    return NatsExecutor.connect(nats, context);
  }
  const local = settings.mode === 'local' ? settings : undefined;
  return new WorkerPoolExecutor({ size: workers ?? local?.workers, preload: context.preload });
}

import type { Executor } from './executor.js';
import type { DistributedSettings } from '../campaign/sections/distributed.js';
import { InlineExecutor } from './inline-executor.js';

export interface ExecutorOverrides {
  /** `--workers N`: local pool of N workers (overrides the campaign). */
  workers?: number;
  /** `--servers URL`: NATS mode with these servers (overrides the campaign). */
  servers?: string;
}

/**
 * The executor a stage runs its jobs on: from the campaign's `distributed` section, overridden by
 * the command line. Every stage gets its executor here, so they all honour the same settings.
 */
export async function createExecutor(settings: DistributedSettings, _overrides: ExecutorOverrides = {}, _context: { campaignFile?: string; runId?: string } = {}): Promise<Executor> {
  // Until the worker pool and NATS executors land, jobs run inline.
  void settings;
  return new InlineExecutor();
}

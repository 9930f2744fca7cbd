/**
 * The executor of a campaign's pair jobs. One local worker runs them inline on the calling thread,
 * decoding chunks there too: a worker thread would only add a second load of the registration
 * modules and a decode pool of its own (~0.3–0.5 CPU-s of start-up, as much as 10 pairs of
 * 64×256×256 tiles), and a single worker gains nothing from running off the main thread (pair jobs
 * are tens of milliseconds; progress and Ctrl-C are served between them and during their reads).
 */
import type { Campaign } from '../campaign/open-campaign.js';
import { createExecutor } from '../distributed/create-executor.js';
import type { Executor } from '../distributed/executor.js';
import { InlineExecutor } from '../distributed/inline-executor.js';
import { configureDecodePool, defaultDecodeThreads } from '../zarrio/decode-pool.js';

export interface PairExecutorOverrides {
  workers?: number;
  servers?: string;
}

/** One local worker: inline; otherwise the campaign's executor (worker pool or NATS). */
export async function pairExecutor(campaign: Campaign, o: PairExecutorOverrides): Promise<Executor> {
  const d = campaign.config.distributed;
  const local = o.servers === undefined && d.mode === 'local';
  const workers = o.workers ?? (d.mode === 'local' ? d.workers : undefined);
  if (!local || workers !== 1) return createExecutor(d, { workers: o.workers, servers: o.servers }, { campaignFile: campaign.file, runId: 'register' });
  // One thread in all, as in a pool worker (which decodes on its own thread).
  configureDecodePool(0);
  const inline = new InlineExecutor();
  return {
    name: inline.name,
    run: (jobs, opts) => inline.run(jobs, opts),
    async close() {
      await inline.close();
      configureDecodePool(defaultDecodeThreads());
    },
  };
}

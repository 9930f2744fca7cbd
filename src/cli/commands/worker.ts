import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadCampaignConfig } from '../../campaign/load-config.js';
import { natsSettings, type NatsSettingsInput } from '../../campaign/sections/distributed.js';
import { NatsWorker } from '../../distributed/nats-worker.js';
import { StitchgraphError } from '../../errors.js';
import { getLogger } from '../../log.js';

interface WorkerFlags {
  servers?: string;
  user?: string;
  pass?: string;
  token?: string;
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  prefix?: string;
  concurrency?: string;
  connectTimeout?: string;
  import?: string[];
  id?: string;
}

export function addWorkerCommand(program: Command): void {
  program
    .command('worker [campaign]')
    .description('a NATS worker that takes pair and block jobs (settings from [campaign]\'s distributed section and/or the flags)')
    .option('--servers <urls>', 'NATS server URL(s), comma-separated')
    .option('--user <name>', 'NATS user')
    .option('--pass <password>', 'NATS password')
    .option('--token <token>', 'NATS token')
    .option('--creds <file>', 'NATS credentials file')
    .option('--tls-ca <file>', 'CA certificate (PEM)')
    .option('--tls-cert <file>', 'client certificate (PEM)')
    .option('--tls-key <file>', 'client key (PEM)')
    .option('--prefix <name>', 'stream / bucket name prefix (default stitchgraph)')
    .option('--concurrency <n>', 'jobs at once (worker threads)', String(availableParallelism()))
    .option('--connect-timeout <s>', 'seconds to reach the server before giving up')
    .option('--import <module...>', 'modules that register extra job kinds')
    .option('--id <name>', 'worker name in logs and results')
    .action(async (campaign: string | undefined, o: WorkerFlags) => {
      let base: Omit<NatsSettingsInput, 'mode'> | undefined;
      if (campaign) {
        const { config, file } = await loadCampaignConfig(campaign);
        if (config.distributed.mode !== 'nats' && !o.servers) {
          throw new StitchgraphError('ConfigError', `Cannot start a worker for ${file}: its distributed.mode is "local"; set mode: nats or pass --servers`);
        }
        if (config.distributed.mode === 'nats') base = config.distributed;
      }
      const servers = o.servers ?? base?.servers;
      if (!servers) throw new StitchgraphError('InputError', 'Cannot start a worker: no NATS server (pass --servers nats://host:4222 or a campaign with distributed.mode: nats)');
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new StitchgraphError('UsageError', `Cannot start a worker: --concurrency must be a whole number ≥ 1, not "${o.concurrency}"`);
      const tls = o.tlsCa || o.tlsCert || o.tlsKey ? { ca: o.tlsCa, cert: o.tlsCert, key: o.tlsKey } : base?.tls;
      const settings = natsSettings({
        ...base,
        servers,
        ...(o.user !== undefined && { user: o.user }),
        ...(o.pass !== undefined && { pass: o.pass }),
        ...(o.token !== undefined && { token: o.token }),
        ...(o.creds !== undefined && { creds: resolve(o.creds) }),
        ...(tls && { tls }),
        ...(o.prefix !== undefined && { stream_prefix: o.prefix }),
        ...(o.connectTimeout !== undefined && { connect_timeout_s: Number(o.connectTimeout) }),
      });
      const ac = new AbortController();
      const worker = await NatsWorker.start({
        settings,
        concurrency,
        id: o.id,
        preload: (o.import ?? []).map((m) => resolve(m)),
        signal: ac.signal,
      });
      const log = getLogger();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        // First signal drains (running jobs finish and are acked); a second one quits at once.
        if (++signals > 1) process.exit(130);
        log.info({ signal: sig }, 'draining: finishing running jobs');
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.stderr.write(`stitchgraph worker ${worker.id}: ready (${concurrency} at once)\n`);
      await worker.finished;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Everything the worker did is acked or will be redelivered; a NATS client still trying to
      // reach a vanished server would keep the process alive, so leave explicitly.
      process.exit(0);
    });
}

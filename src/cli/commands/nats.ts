import type { Command } from 'commander';
import { resolve } from 'node:path';
import { natsSettings } from '../../campaign/sections/distributed.js';
import { connectNats } from '../../distributed/nats-connect.js';
import { listNatsRuns, type NatsRunInfo } from '../../distributed/list-nats-runs.js';
import { cleanNatsRuns } from '../../distributed/clean-nats-runs.js';
import { usageError } from '../usage-error.js';

interface NatsFlags {
  servers: string;
  prefix?: string;
  user?: string;
  pass?: string;
  token?: string;
  creds?: string;
  staleAfter?: string;
  json?: boolean;
  run?: string[];
}

function withConnectionFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--servers <urls>', 'NATS server URL(s), comma-separated')
    .option('--prefix <name>', 'stream / bucket name prefix (default stitchgraph)')
    .option('--user <name>', 'NATS user')
    .option('--pass <password>', 'NATS password')
    .option('--token <token>', 'NATS token')
    .option('--creds <file>', 'NATS credentials file')
    .option('--stale-after <s>', 'seconds without a coordinator heartbeat before a run counts as abandoned', '120')
    .option('--json', 'JSON instead of a table');
}

function formatRuns(runs: NatsRunInfo[]): string {
  if (runs.length === 0) return 'no runs\n';
  const rows = runs.map((r) => [r.runId, r.state, r.stage ?? '', String(r.jobs ?? ''), String(r.queued), String(r.results), r.coordinator ?? '', r.heartbeat ?? '', r.campaign ?? '']);
  const head = ['run', 'state', 'stage', 'jobs', 'queued', 'results', 'coordinator', 'heartbeat', 'campaign'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

async function withSession<T>(o: NatsFlags, act: (session: Awaited<ReturnType<typeof connectNats>>, staleAfterS: number, prefix: string) => Promise<T>): Promise<T> {
  const staleAfterS = Number(o.staleAfter);
  if (!Number.isFinite(staleAfterS) || staleAfterS <= 0) throw usageError(`Cannot use --stale-after "${o.staleAfter}": expected seconds > 0`);
  const settings = natsSettings({
    servers: o.servers,
    ...(o.user !== undefined && { user: o.user }),
    ...(o.pass !== undefined && { pass: o.pass }),
    ...(o.token !== undefined && { token: o.token }),
    ...(o.creds !== undefined && { creds: resolve(o.creds) }),
    ...(o.prefix !== undefined && { stream_prefix: o.prefix }),
  });
  const session = await connectNats(settings, 'stitchgraph nats');
  try {
    return await act(session, staleAfterS, settings.stream_prefix);
  } finally {
    await session.nc.close().catch(() => {});
  }
}

/** `stitchgraph nats runs|clean`: what runs are on the server, and removing the ones left behind. */
export function addNatsCommand(program: Command): void {
  const nats = program.command('nats').description('inspect and clean the runs stored on a NATS server');
  withConnectionFlags(nats.command('runs').description('list runs: active, abandoned (coordinator gone), kept (results of a finished run) or orphan')).action(async (o: NatsFlags) => {
    const runs = await withSession(o, (s, staleAfterS, prefix) => listNatsRuns(s, { prefix, staleAfterS }));
    process.stdout.write(o.json ? `${JSON.stringify(runs, null, 2)}\n` : formatRuns(runs));
  });
  withConnectionFlags(nats.command('clean').description('delete the streams, buckets and entries of every run that is not active'))
    .option('--run <id...>', 'only these runs')
    .action(async (o: NatsFlags) => {
      const removed = await withSession(o, (s, staleAfterS, prefix) => cleanNatsRuns(s, { prefix, staleAfterS, runs: o.run }));
      process.stdout.write(o.json ? `${JSON.stringify(removed, null, 2)}\n` : `removed ${removed.length} run(s)${removed.length ? `: ${removed.map((r) => `${r.runId} (${r.state})`).join(', ')}` : ''}\n`);
    });
}

import type { Command } from 'commander';
import { untilInterrupted } from '../until-interrupted.js';
import { resolve } from 'node:path';
import { runCampaign } from '../../pipeline/run-campaign.js';
import { ensureDemoCampaign } from '../../pipeline/demo-campaign.js';
import { progressBar } from '../progress.js';

export function addRunCommand(program: Command): void {
  program
    .command('run [campaign]')
    .description('all stages in order (register → optimize → fuse → analyze → report), skipping what is complete; without a campaign, the embedded demo')
    .option('--workers <n>', 'local workers (overrides distributed.workers)')
    .option('--servers <url>', 'NATS servers (overrides distributed)')
    .option('--fuse', 'fuse to OME-Zarr even when fusion.enabled is false')
    .action(async (campaign: string | undefined, o: { workers?: string; servers?: string; fuse?: boolean }) => {
      const file = campaign ? resolve(campaign) : await ensureDemoCampaign();
      const res = await untilInterrupted('Cannot finish run: interrupted; finished work is kept, run again to resume', (signal) =>
        runCampaign(file, { workers: o.workers === undefined ? undefined : Number(o.workers), servers: o.servers, fuse: o.fuse, signal, progress: progressBar, say: (text) => process.stderr.write(`${text}\n`) }),
      );
      process.stdout.write(`${res.summary}\n`);
    });
}

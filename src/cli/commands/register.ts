import type { Command } from 'commander';
import { resolve } from 'node:path';
import { registerCampaign } from '../../registration/register-campaign.js';
import { progressBar } from '../progress.js';
import { formatPairSummary } from '../../registration/format-pair-summary.js';
import { StitchgraphError } from '../../errors.js';

export function addRegisterCommand(program: Command): void {
  program
    .command('register <campaign>')
    .description('pairwise registration of all overlapping tile pairs → workdir/pairs.json (resumes: pairs already there are kept)')
    .option('--workers <n>', 'local worker pool size (overrides distributed.workers)')
    .option('--servers <url>', 'NATS servers: run the pair jobs on NATS workers (overrides distributed)')
    .option('--force', 'recompute every pair, ignoring the existing pairs.json')
    .action(async (campaign: string, o: { workers?: string; servers?: string; force?: boolean }) => {
      let workers: number | undefined;
      if (o.workers !== undefined) {
        workers = Number(o.workers);
        if (!Number.isInteger(workers) || workers < 1) throw new StitchgraphError('UsageError', `Cannot register: --workers must be a positive integer, not "${o.workers}"`);
      }
      const bar = progressBar('register pairs', 0);
      let res;
      try {
        res = await registerCampaign(resolve(campaign), { workers, servers: o.servers, force: o.force, onProgress: (done, total) => bar.update(done, total) });
      } finally {
        bar.stop();
      }
      process.stdout.write(`${res.file}\n`);
      const [head, ...rest] = formatPairSummary(res.pairs);
      process.stderr.write(`${head} (${res.computed} computed, ${res.reused} reused, ${res.failed} failed)\n${rest.map((l) => `${l}\n`).join('')}`);
      if (res.failed > 0) {
        const first = res.pairs.pairs.find((p) => p.reason?.startsWith('job failed'));
        throw new StitchgraphError('JobFailed', `Cannot register every pair: ${res.failed} pair job(s) failed (first ${first ? `${first.a}~${first.b}: ${first.reason}` : 'unknown'}); rerun to retry them`);
      }
    });
}

import type { Command } from 'commander';
import { untilInterrupted } from '../until-interrupted.js';
import { openCampaign } from '../../campaign/open-campaign.js';
import { buildCampaignPyramids } from '../../pyramid/build-campaign-pyramids.js';
import { progressBar } from '../progress.js';
import { getLogger } from '../../log.js';
import { StitchgraphError } from '../../errors.js';

export function addPyramidCommand(program: Command): void {
  program
    .command('pyramid <campaign>')
    .description('build the missing multiscale tile pyramids (block means, OME-Zarr) → pyramid.store (default workdir/pyramids.zarr); resumable')
    .option('--workers <n>', 'local workers (overrides distributed.workers)')
    .option('--servers <url>', 'NATS servers (overrides distributed)')
    .action(async (campaignPath: string, o: { workers?: string; servers?: string }) => {
      const log = getLogger();
      let workers: number | undefined;
      if (o.workers !== undefined) {
        workers = Number(o.workers);
        if (!Number.isInteger(workers) || workers < 1) throw new StitchgraphError('InputError', `Cannot build pyramids: --workers must be a positive integer, not "${o.workers}"`);
      }
      const campaign = await openCampaign(campaignPath);
      const bar = progressBar('pyramid blocks', 1);
      try {
        await untilInterrupted('Cannot finish the pyramids: interrupted; finished blocks are kept, run again to resume', async (signal) => {
          const res = await buildCampaignPyramids(campaign, {
            workers,
            servers: o.servers,
            signal,
            onProgress: (d, t) => bar.update(d, t),
            onLevel: (level, tiles, blocks, seconds) => log.info({ level, tiles, blocks, seconds: Number(seconds.toFixed(2)) }, `level ${level} complete`),
          });
          for (const t of res.tiles) log.info({ tile: t.id, status: t.status, levels: t.levels, factors: t.factors.map((f) => f.join('x')).join(' ') }, 'tile pyramid');
          const mbps = res.seconds > 0 ? res.sourceBytes / 2 ** 20 / res.seconds : 0;
          log.info({ store: res.store, computed: res.computed, skipped: res.skipped, seconds: Number(res.seconds.toFixed(2)), source_mb: Number((res.sourceBytes / 2 ** 20).toFixed(1)), read_mb: Number((res.bytesRead / 2 ** 20).toFixed(1)), throughput_mb_s: Number(mbps.toFixed(1)), peak_job_mb: Number((res.peakJobBytes / 2 ** 20).toFixed(1)) }, 'pyramids built');
          process.stdout.write(`${res.store}\n`);
          process.stderr.write(`${res.tiles.length} tiles: ${res.computed} blocks built, ${res.skipped} kept, ${res.seconds.toFixed(1)} s, ${mbps.toFixed(1)} MB/s of source tiles\n`);
        });
      } finally {
        bar.stop();
      }
    });
}

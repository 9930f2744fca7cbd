import type { Command } from 'commander';
import { resolve } from 'node:path';
import { openCampaign } from '../../campaign/open-campaign.js';
import { openStitchedVolume } from '../../stitch/open-stitched-volume.js';
import { serveVolume } from '../../stitch/serve-volume.js';
import { getLogger } from '../../log.js';
import { StitchgraphError } from '../../errors.js';
import type { BlendMode } from '../../stitch/blend-weight.js';

export function addServeCommand(program: Command): void {
  program
    .command('serve <campaign>')
    .description('HTTP access to views: a virtual OME-Zarr at /zarr/ (chunks computed on demand) and a slice viewer at /')
    .option('--host <addr>', 'address to bind (127.0.0.1: this machine only)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', '8080')
    .option('--positions <file>', 'positions.json (default: <workdir>/positions.json, else nominal positions)')
    .option('--blend <mode>', 'average | linear | cosine | max | first (default: fusion.blend)')
    .option('--levels <n>', 'pyramid levels offered (default: until one chunk wide)')
    .option('--no-intensity-correction', 'do not apply the per-tile gain/offset')
    .action(async (campaignPath: string, o: Record<string, string | boolean | undefined>) => {
      const log = getLogger();
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StitchgraphError('UsageError', `Cannot serve: --port ${o.port} must be an integer from 0 to 65535`);
      const campaign = await openCampaign(campaignPath);
      const volume = await openStitchedVolume(campaign, o.positions === undefined ? undefined : resolve(String(o.positions)));
      const srv = await serveVolume(volume, {
        host: String(o.host),
        port,
        blend: o.blend as BlendMode | undefined,
        levels: o.levels === undefined ? undefined : Number(o.levels),
        intensityCorrection: o.intensityCorrection === false ? false : undefined,
      });
      log.info({ url: srv.url, zarr: `${srv.url}/zarr/` }, 'serving');
      process.stdout.write(`${srv.url}/\n`);
      await new Promise<void>((done) => {
        const stop = () => void srv.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

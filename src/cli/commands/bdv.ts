import type { Command } from 'commander';
import { openCampaign } from '../../campaign/open-campaign.js';
import { exportBdv, type BdvImages } from '../../bdv/export-bdv.js';
import { importBdvPositions } from '../../bdv/import-bdv-positions.js';
import { StitchgraphError } from '../../errors.js';
import { getLogger } from '../../log.js';
import { progressBar } from '../progress.js';
import { untilInterrupted } from '../until-interrupted.js';

export function addExportBdvCommand(program: Command): void {
  program
    .command('export-bdv <campaign>')
    .description('a BigStitcher/BigDataViewer project (SpimData XML) at the optimised positions → workdir/bigstitcher.xml')
    .option('--out <file>', 'the XML file (default: <workdir>/bigstitcher.xml)')
    .option('--images <mode>', 'copy: BDV-readable OME-Zarr copies beside the XML; link: point at the tile store as it is (default: export.bigstitcher, auto = copy up to 2 GiB of tiles)')
    .option('--positions <file>', 'positions.json to export (default: <workdir>/positions.json, else nominal)')
    .action(async (campaignPath: string, o: { out?: string; images?: string; positions?: string }) => {
      if (o.images !== undefined && o.images !== 'copy' && o.images !== 'link') throw new StitchgraphError('UsageError', `Cannot export to BigStitcher: --images must be copy or link, not "${o.images}"`);
      const campaign = await openCampaign(campaignPath);
      const bar = progressBar('bdv images', campaign.tiles.length);
      try {
        const r = await untilInterrupted('Cannot finish the BigStitcher export: interrupted; the image chunks written are kept, run again to resume', (signal) =>
          exportBdv(campaign, { out: o.out, images: o.images as BdvImages | undefined, positions: o.positions, signal, onProgress: (d, t) => bar.update(d, t) }),
        );
        getLogger().info({ xml: r.xml, images: r.images, positions: r.positionsSource }, 'BigStitcher project written');
        process.stdout.write(`${r.xml}\n`);
      } finally {
        bar.stop();
      }
    });
}

export function addImportBdvCommand(program: Command): void {
  program
    .command('import-bdv <campaign> <xml>')
    .description("a BigStitcher project's registrations as positions → workdir/positions.bigstitcher.json (compared with positions.json)")
    .option('--out <file>', 'where to write them (give <workdir>/positions.json to continue the pipeline from BigStitcher)')
    .action(async (campaignPath: string, xml: string, o: { out?: string }) => {
      const log = getLogger();
      const campaign = await openCampaign(campaignPath);
      const r = await importBdvPositions(campaign, xml, { out: o.out });
      if (r.notTranslations.length) log.warn({ tiles: r.notTranslations.slice(0, 20) }, `${r.notTranslations.length} views carry more than a translation (rotation, scaling or shear): only their translation was imported`);
      if (r.differences?.length) {
        const d = r.differences.map((x) => x.distance_vox);
        log.info({ max_vox: Math.max(...d), mean_vox: d.reduce((a, b) => a + b, 0) / d.length }, 'BigStitcher vs stitchgraph positions');
      }
      process.stdout.write(`${r.out}\n`);
    });
}

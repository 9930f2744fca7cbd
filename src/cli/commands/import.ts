import type { Command } from 'commander';
import { resolve, dirname, basename } from 'node:path';
import { importTiffCampaign, IMPORT_DEFAULTS } from '../../tiff/import-tiff-campaign.js';
import { readTileList } from '../../tiff/read-tile-list.js';
import { FILE_ORDERS, orderFiles } from '../../tiff/order-files.js';
import { gridPositions } from '../../tiff/grid-positions.js';
import { openTileSource } from '../../tiff/_tile-source.js';
import { COMPRESSORS, type Compressor } from '../../zarrio/write-array.js';
import { getLogger } from '../../log.js';
import { progressBar } from '../progress.js';
import { parseVec3 } from '../parse-args.js';
import { StitchgraphError } from '../../errors.js';
import type { ImportTile } from '../../tiff/import-tiff-campaign.js';
import { openCampaign } from '../../campaign/open-campaign.js';
import { buildCampaignPyramids } from '../../pyramid/build-campaign-pyramids.js';

export function addImportCommand(program: Command): void {
  program
    .command('import <campaign> [files...]')
    .description('TIFF stacks, PNG or JPEG images (one file, or one folder of 2-D slices, per tile) → tiles of a Zarr store + the campaign YAML')
    .option('--tiles <csv>', 'tile list: CSV with header file,y,x (and optional id, z); files relative to the CSV')
    .option('--grid <nz,ny,nx>', 'the [files...] form a regular grid, given in z, y, x order (x fastest)')
    .option('--overlap <f>', 'with --grid: overlap fraction between neighbours', '0.1')
    .option('--order <order>', `with --grid: order of the files before layout: ${FILE_ORDERS.join(' | ')} (natural: tile2 before tile10; given: as listed)`, 'natural')
    .option('--chunks <d,h,w>', 'chunk shape of the written tiles', IMPORT_DEFAULTS.chunks.join(','))
    .option('--compressor <name>', `chunk compressor: ${COMPRESSORS.join(' | ')}`, IMPORT_DEFAULTS.compressor)
    .option('--voxel-size <z,y,x>', 'voxel size in µm', IMPORT_DEFAULTS.voxelSize.join(','))
    .option('--overwrite', 'replace an existing store and YAML of the same name', false)
    .option('--no-pyramid', 'do not build the tile pyramids (`stitchgraph pyramid` or `run` builds them later)')
    .option('--workers <n>', 'local workers for the pyramid build (overrides distributed.workers)')
    .action(async (campaign: string, files: string[], o: Record<string, string | boolean | undefined>) => {
      const log = getLogger();
      const abs = resolve(campaign);
      if (!/\.ya?ml$/.test(abs)) throw new StitchgraphError('InputError', `Cannot import into ${campaign}: the campaign file must end in .yaml`);
      const compressor = String(o.compressor);
      if (!COMPRESSORS.includes(compressor as Compressor)) throw new StitchgraphError('UsageError', `Cannot import: --compressor must be one of ${COMPRESSORS.join(', ')}, not "${compressor}"`);
      let tiles: ImportTile[];
      if (typeof o.tiles === 'string') {
        if (files.length > 0 || o.grid) throw new StitchgraphError('InputError', 'Cannot import: give either --tiles <csv> or --grid with files, not both');
        tiles = await readTileList(o.tiles);
      } else if (typeof o.grid === 'string') {
        const grid = parseVec3(o.grid, '--grid');
        const n = grid[0] * grid[1] * grid[2];
        const given = files;
        files = orderFiles(files, String(o.order));
        if (files.some((f, i) => f !== given[i])) log.info({ order: o.order, files: files.map((f) => basename(f)) }, `files laid out in ${String(o.order)} order (--order given keeps the command line's)`);
        if (files.length !== n) throw new StitchgraphError('InputError', `Cannot import: --grid ${o.grid} needs ${n} files, got ${files.length}`);
        const overlap = Number(o.overlap);
        if (!(overlap >= 0 && overlap < 1)) throw new StitchgraphError('UsageError', `Cannot import: --overlap must be in [0, 1), not "${String(o.overlap)}"`);
        const first = await openTileSource(resolve(files[0]));
        const shape = first.shape;
        await first.close();
        tiles = gridPositions(grid, shape, overlap).map((g, i) => ({ id: `t_${g.index.join('_')}`, file: resolve(files[i]), position: g.position }));
      } else {
        throw new StitchgraphError('InputError', 'Cannot import: give the tiles as --tiles <csv> or as --grid nz,ny,nx with the files');
      }
      const bar = progressBar('import tiles', tiles.length);
      let configPath: string;
      try {
        configPath = await importTiffCampaign({
          tiles,
          outDir: dirname(abs),
          name: basename(abs).replace(/\.ya?ml$/, ''),
          chunks: parseVec3(String(o.chunks), '--chunks'),
          compressor: compressor as Compressor,
          voxelSize: parseVec3(String(o.voxelSize), '--voxel-size'),
          overwrite: o.overwrite === true,
          onTile: (done) => bar.update(done),
        });
      } finally {
        bar.stop();
      }
      log.info({ config: configPath, tiles: tiles.length }, 'TIFF campaign imported');
      if (o.pyramid !== false) await buildImportedPyramids(configPath, o.workers === undefined ? undefined : Number(o.workers));
      process.stdout.write(`${configPath}\n`);
    });
}

/** `import` builds the tile pyramids of the new campaign (into its workdir's pyramids.zarr, never into the store). */
async function buildImportedPyramids(configPath: string, workers: number | undefined): Promise<void> {
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new StitchgraphError('InputError', `Cannot build pyramids: --workers must be a positive integer, not "${workers}"`);
  const campaign = await openCampaign(configPath);
  const bar = progressBar('pyramid blocks', 1);
  try {
    const r = await buildCampaignPyramids(campaign, { workers, onProgress: (d, t) => bar.update(d, t) });
    getLogger().info({ store: r.store, computed: r.computed, seconds: Number(r.seconds.toFixed(2)), levels: Math.max(0, ...r.tiles.map((t) => t.levels)) }, 'tile pyramids built');
  } finally {
    bar.stop();
  }
}

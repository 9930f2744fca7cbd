import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { openCampaign, type Campaign } from '../campaign/open-campaign.js';
import { readPairsFile } from '../formats/pairs.js';
import { writePositionsFile } from '../formats/positions.js';
import { writeFileAtomic } from '../files/write-atomic.js';
import { optimizePositions, type OptimizedPositions } from './optimize-positions.js';
import { formatQualityReport } from './format-quality-report.js';
import { parseTileConfiguration } from '../fiji/parse-tile-configuration.js';
import { formatTileConfiguration } from '../fiji/format-tile-configuration.js';
import { fijiNominalPositions } from '../fiji/fiji-nominal-positions.js';
import { tileSourceFiles } from '../fiji/tile-source-files.js';
import { StitchgraphError } from '../errors.js';
import { getLogger } from '../log.js';

export interface RunOptimizeOptions {
  /** Fiji TileConfiguration.txt whose positions replace the campaign's nominal positions. */
  fijiTiles?: string;
  /** Where to write the Fiji TileConfiguration.registered.txt. @default <workdir>/TileConfiguration.registered.txt */
  fijiOut?: string;
}

export interface RunOptimizeResult {
  positions: OptimizedPositions;
  positionsPath: string;
  fijiPath: string;
  /** Every file written (the same shape for every stage). */
  files: string[];
  report: string;
}

/**
 * `stitchgraph optimize`: workdir/pairs.json + the campaign → workdir/positions.json (atomic),
 * a Fiji TileConfiguration.registered.txt, and the quality report (returned; the command prints it).
 */
export async function optimizeCampaign(input: Campaign | string, options: RunOptimizeOptions = {}): Promise<RunOptimizeResult> {
  const log = getLogger();
  const campaign = typeof input === 'string' ? await openCampaign(input) : input;
  const pairsPath = join(campaign.workdir, 'pairs.json');
  const pairs = await readPairsFile(pairsPath);
  const sources = await tileSourceFiles(campaign);
  let tiles = campaign.tiles.map((t) => ({ id: t.id, nominal: t.nominal, shape: t.shape, array: t.array, source: sources.get(t.id) }));
  let fileOf = new Map<string, string>();
  let seriesOf = new Map<string, string>();
  let nominalSource = 'campaign';
  if (options.fijiTiles) {
    const path = resolve(options.fijiTiles);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new StitchgraphError('InputError', `Cannot read Fiji tile configuration ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`, { cause: err, details: { file: path } });
    }
    const fiji = fijiNominalPositions(tiles, parseTileConfiguration(text, path), path);
    if (fiji.missing.length) log.warn({ tiles: fiji.missing.slice(0, 20), count: fiji.missing.length }, `${fiji.missing.length} tiles not in ${path}: they keep the campaign's nominal position`);
    tiles = fiji.tiles;
    fileOf = fiji.fileOf;
    seriesOf = fiji.seriesOf;
    nominalSource = path;
  }
  let positions: OptimizedPositions;
  try {
    positions = optimizePositions(tiles, pairs.pairs, campaign.config.optimization);
  } catch (err) {
    if (err instanceof StitchgraphError) throw new StitchgraphError(err._tag, `${err.message} (${pairsPath})`, { cause: err, details: { ...err.details, file: pairsPath } });
    throw err;
  }
  positions.nominal_source = nominalSource;
  const positionsPath = join(campaign.workdir, 'positions.json');
  await writePositionsFile(positionsPath, positions);
  const fijiPath = resolve(options.fijiOut ?? join(campaign.workdir, 'TileConfiguration.registered.txt'));
  const dim = campaign.tiles.every((t) => t.shape[0] === 1) ? 2 : 3;
  // Fiji opens images by file: the name Fiji gave us, else the imported source file relative to
  // the configuration's folder, else (tiles that never were files) the tile id.
  const fileFor = (id: string) => fileOf.get(id) ?? (sources.has(id) ? relative(dirname(fijiPath), sources.get(id)!) : id);
  const multiSeries = seriesOf.size > 0;
  const entries = campaign.tiles.map((t) => ({ file: fileFor(t.id), ...(seriesOf.has(t.id) ? { series: seriesOf.get(t.id) } : {}), position: positions.tiles[t.id].position }));
  await writeFileAtomic(fijiPath, formatTileConfiguration({ dim, entries, ...(multiSeries ? { multiSeries } : {}) }));
  log.info({ positions: positionsPath, fiji: fijiPath }, 'positions written');
  return { positions, positionsPath, fijiPath, files: [positionsPath, fijiPath], report: formatQualityReport(positions) };
}

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { readPositionsFile, writePositionsFile, type PositionsFile } from '../formats/positions.js';
import { StitchgraphError } from '../errors.js';
import { readBdvPositions, type BdvView } from './read-bdv-positions.js';

export interface ImportBdvOptions {
  /** Where to write the positions. @default <workdir>/positions.bigstitcher.json */
  out?: string;
}

export interface ImportBdvResult {
  out: string;
  positions: PositionsFile;
  /** Tiles whose BigStitcher registration is more than a translation (only its translation is used). */
  notTranslations: string[];
  /** Per tile |BigStitcher − stitchgraph| (voxels), when workdir/positions.json exists. */
  differences?: { tile: string; distance_vox: number }[];
}

/** The tile a view describes: by name = tile id, else by image path = the tile's array (or its last part). */
function matchViews(campaign: Campaign, views: BdvView[], source: string): Map<string, BdvView> {
  const byTile = new Map<string, BdvView>();
  for (const v of views) {
    const tile = campaign.tileById.get(v.name) ?? campaign.tiles.find((t) => v.path !== undefined && (t.array === v.path || t.id === v.path.replace(/^.*\//, '')));
    if (tile) byTile.set(tile.id, v);
  }
  const missing = campaign.tiles.filter((t) => !byTile.has(t.id)).map((t) => t.id);
  if (missing.length) {
    throw new StitchgraphError('InputError', `Cannot import BigStitcher positions from ${source}: no view for tile${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} (views are matched by setup name = tile id, or image path = tile array)`, { details: { file: source, tiles: missing } });
  }
  return byTile;
}

/**
 * `stitchgraph import-bdv`: a BigStitcher project's registrations as stitchgraph positions
 * (positions.json format, one group), so BigStitcher's result can be viewed, fused and analysed
 * here (`--positions`, or `--out <workdir>/positions.json` to continue the pipeline from it), and
 * compared with stitchgraph's own positions.
 */
export async function importBdvPositions(campaign: Campaign, xmlPath: string, options: ImportBdvOptions = {}): Promise<ImportBdvResult> {
  const source = resolve(xmlPath);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new StitchgraphError('InputError', `Cannot read BigStitcher project ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`, { cause: err, details: { file: source } });
  }
  const byTile = matchViews(campaign, readBdvPositions(text, source), source);
  // BigStitcher places views in a frame of its own; keep the first tile where the campaign puts it.
  const first = campaign.tiles[0];
  const shift = first.nominal.map((n, a) => n - byTile.get(first.id)!.position[a]) as Vec3;
  const tiles: PositionsFile['tiles'] = {};
  for (const t of campaign.tiles) tiles[t.id] = { position: byTile.get(t.id)!.position.map((p, a) => p + shift[a]) as Vec3, group: 0 };
  const positions: PositionsFile = { tiles, residuals: {}, nominal_source: `bigstitcher:${source}` };
  const out = resolve(options.out ?? join(campaign.workdir, 'positions.bigstitcher.json'));
  await writePositionsFile(out, positions);
  const ours = join(campaign.workdir, 'positions.json');
  let differences: ImportBdvResult['differences'];
  if (existsSync(ours) && resolve(ours) !== out) {
    const mine = await readPositionsFile(ours);
    differences = campaign.tiles
      .filter((t) => mine.tiles[t.id])
      .map((t) => ({ tile: t.id, distance_vox: Math.hypot(...tiles[t.id].position.map((p, a) => p - mine.tiles[t.id].position[a])) }));
  }
  const notTranslations = campaign.tiles.filter((t) => !byTile.get(t.id)!.translationOnly).map((t) => t.id);
  return { out, positions, notTranslations, ...(differences ? { differences } : {}) };
}

import { existsSync, statSync } from 'node:fs';
import type { Campaign } from '../campaign/open-campaign.js';

/**
 * The image file each tile was imported from, where `stitchgraph import` recorded one
 * (`stitchgraph.source` in the tile array's attributes) and it is still a file: Fiji's
 * TileConfiguration and BigStitcher name images by file, not by our tile ids. Tiles imported from
 * a folder of slices, or written by other tools, are absent from the map.
 */
export async function tileSourceFiles(campaign: Campaign): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const t of campaign.tiles) {
    const tile = await campaign.openTile(t.id);
    const attrs = tile.array.attrs as { stitchgraph?: { source?: unknown } };
    const source = attrs.stitchgraph?.source;
    if (typeof source === 'string' && existsSync(source) && statSync(source).isFile()) files.set(t.id, source);
  }
  return files;
}

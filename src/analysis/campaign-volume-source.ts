import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import { StitchgraphError } from '../errors.js';
import { zarrBlockSource, type BlockSource } from './block-source.js';

/**
 * The volume `stitchgraph analyze` reads for a campaign, until the stitched view is connected:
 * the fused OME-Zarr (`workdir/fused.ome.zarr`, level `0`) when it exists, else the campaign's
 * only tile. The stitched view plugs in here as
 * `localBlockSource(shape, (box) => campaign.getView(box.start, box.size).then((v) => v.data))`.
 */
export async function campaignVolumeSource(campaign: Campaign): Promise<{ source: BlockSource; what: string }> {
  const fused = join(campaign.workdir, 'fused.ome.zarr');
  if (existsSync(join(fused, '0'))) return { source: await zarrBlockSource(fused, '0'), what: `${fused}#0` };
  if (campaign.tiles.length === 1) {
    const t = campaign.tiles[0];
    return { source: await zarrBlockSource(campaign.storePath, t.array), what: `${campaign.storePath}#${t.array}` };
  }
  throw new StitchgraphError(
    'InputError',
    `Cannot analyse campaign ${campaign.file}: it has ${campaign.tiles.length} tiles and no fused volume at ${fused}; run \`stitchgraph fuse\` first or pass --array store.zarr#path`,
  );
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import { stitchedBlockSource, zarrBlockSource, type BlockSource } from './block-source.js';
import { FUSE_COMPLETE_MARKER } from '../stitch/fuse-volume.js';

/**
 * The volume `stitchgraph analyze` reads for a campaign: the fused OME-Zarr
 * (`workdir/fused.ome.zarr`, level `0`) when it exists and is complete (the fastest to read), else
 * the stitched view composed on demand from the tiles at their optimised positions (a campaign of
 * one tile reads that tile).
 */
export async function campaignVolumeSource(campaign: Campaign): Promise<{ source: BlockSource; what: string }> {
  const fused = join(campaign.workdir, 'fused.ome.zarr');
  if (existsSync(join(fused, '0')) && existsSync(join(fused, FUSE_COMPLETE_MARKER))) return { source: await zarrBlockSource(fused, '0'), what: `${fused}#0` };
  if (campaign.tiles.length === 1) {
    // One tile is its own stitched volume: read it directly.
    const t = campaign.tiles[0];
    return { source: await zarrBlockSource(campaign.storePath, t.array), what: `${campaign.storePath}#${t.array}` };
  }
  const positions = join(campaign.workdir, 'positions.json');
  return { source: await stitchedBlockSource(campaign.file, existsSync(positions) ? positions : undefined), what: `stitched view of ${campaign.file}` };
}

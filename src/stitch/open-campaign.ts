import type { Campaign } from '../campaign/open-campaign.js';
import { openCampaign as openCampaignConfig } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { openStitchedVolume } from './open-stitched-volume.js';
import type { StitchedVolume, View, ViewOptions } from './stitched-volume.js';

/** A campaign that also makes views of its stitched volume (the library contract). */
export interface StitchedCampaign extends Campaign {
  /**
   * A region of the stitched volume: `workdir/positions.json` when present, else the nominal
   * positions. See StitchedVolume.getView.
   */
  getView(position: Vec3, size: Vec3, opts?: ViewOptions): Promise<View>;
  /** The stitched volume behind getView (opened on first use, then shared). */
  stitchedVolume(): Promise<StitchedVolume>;
}

/** Give a campaign `getView`: the stitched volume is opened lazily, on the first view. */
export function withViews(campaign: Campaign): StitchedCampaign {
  let volume: Promise<StitchedVolume> | undefined;
  const stitchedVolume = () => {
    volume ??= openStitchedVolume(campaign).catch((err: unknown) => {
      volume = undefined;
      throw err;
    });
    return volume;
  };
  return Object.assign(campaign, {
    stitchedVolume,
    async getView(position: Vec3, size: Vec3, opts?: ViewOptions): Promise<View> {
      return (await stitchedVolume()).getView(position, size, opts);
    },
  });
}

/** Open a campaign YAML (validated, tiles opened) with `getView` on it. */
export async function openCampaign(path: string): Promise<StitchedCampaign> {
  return withViews(await openCampaignConfig(path));
}

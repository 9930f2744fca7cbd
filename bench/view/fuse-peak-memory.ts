// Child process of bench-view.ts: fuse one campaign (level 0 + pyramid) and print its peak RSS.
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { openStitchedVolume } from '../../src/stitch/open-stitched-volume.js';
import { fuseVolume } from '../../src/stitch/fuse-volume.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';

const [config, positions] = process.argv.slice(2);
const campaign = await openCampaign(config);
const volume = await openStitchedVolume(campaign, positions);
const t0 = performance.now();
const res = await fuseVolume(volume, new InlineExecutor(), { positions, dtype: 'tile' });
const seconds = (performance.now() - t0) / 1000;
const voxels = volume.shape[0] * volume.shape[1] * volume.shape[2];
process.stdout.write(JSON.stringify({ voxels, blocks: res.blocks, levels: res.levels, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');

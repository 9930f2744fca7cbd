/**
 * Raw read + decode of every tile of a campaign, whole, one after the other, without cache, with
 * the project's own reader (the same one `fuse` reads through): the ceiling that fusion's
 * throughput is compared with. Run in its own process (under /usr/bin/time -v by end-to-end.ts);
 * prints one JSON line: tile voxels, wall and CPU seconds of the reads alone (the campaign's
 * opening left out).
 *
 *   npx tsx bench/scale/_read-tiles.ts campaign.yaml
 */
import { openCampaign } from '../../src/campaign/open-campaign.js';

const config = process.argv[2];
if (!config) throw new Error('usage: npx tsx bench/scale/_read-tiles.ts campaign.yaml');
const campaign = await openCampaign(config);
let voxels = 0;
const c0 = process.cpuUsage();
const t0 = performance.now();
for (const t of campaign.tiles) {
  const tile = await campaign.openTile(t.id);
  await tile.readRegion({ start: [0, 0, 0], size: t.shape }, { cache: null });
  voxels += t.shape[0] * t.shape[1] * t.shape[2];
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ tiles: campaign.tiles.length, voxels, seconds, cpu_s: (cpu.user + cpu.system) / 1e6 }) + '\n');

import type { Command } from 'commander';
import { optimizeCampaign } from '../../graph/optimize-campaign.js';

export function addOptimizeCommand(program: Command): void {
  program
    .command('optimize <campaign>')
    .description('global tile positions from the pairs (weighted least squares, bad links dropped) → workdir/positions.json')
    .option('--fiji-tiles <file>', 'take nominal positions from a Fiji TileConfiguration.txt (lines "file; ; (x, y, z)" matched to tile ids)')
    .option('--fiji-out <file>', 'where to write the Fiji TileConfiguration.registered.txt (default: in the workdir)')
    .action(async (campaign: string, o: { fijiTiles?: string; fijiOut?: string }) => {
      const res = await optimizeCampaign(campaign, o);
      process.stdout.write(res.report);
    });
}

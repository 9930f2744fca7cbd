import type { Command } from 'commander';
import { StitchgraphError } from '../../errors.js';

/** A contract command whose stage is not built yet: listed in --help, fails clearly when run. */
export function notBuilt(program: Command, name: string, summary: string, issue: string): void {
  program
    .command(`${name} [campaign]`)
    .description(`${summary} (not built yet: ${issue})`)
    .allowUnknownOption(true)
    .action(() => {
      throw new StitchgraphError('NotImplemented', `Cannot run \`${name}\`: this stage is not built yet (${issue})`);
    });
}

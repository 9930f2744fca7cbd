#!/usr/bin/env node
import { Command } from 'commander';
import { createLogger } from '../log.js';
import { isStitchgraphError } from '../errors.js';
import { loadCommands } from './commands/index.js';

const program = new Command();
program
  .name('stitchgraph')
  .description('Stitch, view and analyse tiled 3-D imaging campaigns described in one YAML file.')
  .version('0.1.0')
  .option('--log-level <level>', 'trace | debug | info | warn | error | silent', 'info')
  .hook('preAction', (cmd) => {
    createLogger(cmd.opts<{ logLevel: 'info' }>().logLevel);
  });

/** The command word of argv: the first argument that is neither an option nor the value of --log-level. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--log-level') i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return undefined;
}

for (const add of await loadCommands(commandName(process.argv))) add(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // The contract: non-zero exit with a one-line reason on stderr.
  const message = isStitchgraphError(err) ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`stitchgraph: ${message.split('\n')[0]}\n`);
  if (process.env.STITCHGRAPH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = isStitchgraphError(err) && err._tag === 'NotImplemented' ? 2 : 1;
});

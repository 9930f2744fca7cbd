#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { createLogger, setLogSink } from '../log.js';
import { writeAboveProgress } from './progress.js';
import '../job-kinds.js';
import { loadCommands } from './commands/index.js';
import { exitCodeFor, failureLine } from './failure-line.js';
import { lockWorkdirBeforeAction, releaseWorkdirLock } from './lock-workdir-hook.js';

// Log lines and progress bars share the terminal: logs go above the bars, never through them.
setLogSink(writeAboveProgress);

const program = new Command();
program
  .name('stitchgraph')
  .description('Stitch, view and analyse tiled 3-D imaging campaigns described in one YAML file.')
  .version('0.1.0')
  .option('--log-level <level>', 'trace | debug | info | warn | error | silent', 'info')
  // Commander's own errors (unknown option, missing argument) come back as CommanderError and end
  // in the one `stitchgraph:` line below, with exit 2; subcommands inherit both settings.
  .exitOverride()
  .configureOutput({ outputError: () => {} })
  .option('--wait-lock [seconds]', 'when another process uses the workdir, wait for it (up to seconds) instead of failing')
  .hook('preAction', async (cmd, action) => {
    createLogger(cmd.opts<{ logLevel: 'info' }>().logLevel);
    await lockWorkdirBeforeAction(cmd, action);
  })
  .hook('postAction', releaseWorkdirLock);

/**
 * The command word of argv: the first argument that is neither an option nor an option's value
 * (--log-level's, or a number after --wait-lock). A miss only loads every command, as --help does.
 */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--log-level' || (argv[i] === '--wait-lock' && /^\d/.test(argv[i + 1] ?? ''))) i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return undefined;
}

for (const add of await loadCommands(commandName(process.argv))) add(program);

program.parseAsync(process.argv).catch(async (err: unknown) => {
  await releaseWorkdirLock().catch(() => {});
  // `--help` and `--version` also leave through exitOverride, successfully.
  if (err instanceof CommanderError && err.exitCode === 0) return;
  // The contract: non-zero exit with a one-line reason on stderr (2: usage, 1: failure).
  process.stderr.write(`stitchgraph: ${failureLine(err)}\n`);
  if (process.env.STITCHGRAPH_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = exitCodeFor(err);
});

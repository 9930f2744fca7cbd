import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addOptimizeCommand(program: Command): void {
  notBuilt(program, 'optimize', 'global tile positions from the pairs → workdir/positions.json', 'issue #4');
}

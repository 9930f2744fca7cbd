import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addRunCommand(program: Command): void {
  notBuilt(program, 'run', 'all stages in order, skipping what is complete', 'issue #8');
}

import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addRegisterCommand(program: Command): void {
  notBuilt(program, 'register', 'pairwise registration of all overlapping tile pairs → workdir/pairs.json', 'issue #3');
}

import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addAnalyzeCommand(program: Command): void {
  notBuilt(program, 'analyze', 'segmentation, skeleton, network statistics → workdir/network/', 'issue #7');
}

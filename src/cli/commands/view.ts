import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addViewCommand(program: Command): void {
  notBuilt(program, 'view', 'one region of the stitched volume → .tif/.png/.zarr/.npy', 'issue #6');
}

import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addFuseCommand(program: Command): void {
  notBuilt(program, 'fuse', 'the whole stitched volume → workdir/fused.ome.zarr', 'issue #6');
}

import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addImportCommand(program: Command): void {
  notBuilt(program, 'import', 'TIFF stacks into tiles of a Zarr store, plus the campaign YAML', 'issue #2');
}

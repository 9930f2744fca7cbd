import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addServeCommand(program: Command): void {
  notBuilt(program, 'serve', 'HTTP access to views (virtual OME-Zarr + slice viewer)', 'issue #6');
}

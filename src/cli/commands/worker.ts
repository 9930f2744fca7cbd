import type { Command } from 'commander';
import { notBuilt } from './not-built.js';

export function addWorkerCommand(program: Command): void {
  notBuilt(program, 'worker', 'a NATS worker that takes pair and block jobs', 'issue #5');
}

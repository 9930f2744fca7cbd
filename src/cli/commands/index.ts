import type { Command } from 'commander';
import { addSynthCommand } from './synth.js';
import { addImportCommand } from './import.js';
import { addRegisterCommand } from './register.js';
import { addOptimizeCommand } from './optimize.js';
import { addViewCommand } from './view.js';
import { addFuseCommand } from './fuse.js';
import { addAnalyzeCommand } from './analyze.js';
import { addRunCommand } from './run.js';
import { addWorkerCommand } from './worker.js';
import { addServeCommand } from './serve.js';
import { addNatsCommand } from './nats.js';

/** Every command of the CLI contract (ARCHITECTURE.md), in help order. */
export const COMMANDS: ((program: Command) => void)[] = [
  addSynthCommand,
  addImportCommand,
  addRegisterCommand,
  addOptimizeCommand,
  addViewCommand,
  addFuseCommand,
  addAnalyzeCommand,
  addRunCommand,
  addWorkerCommand,
  addServeCommand,
  addNatsCommand,
];

import type { Command } from 'commander';
import { addSynthCommand } from './synth.js';
import { addImportCommand } from './import.js';
import { addPyramidCommand } from './pyramid.js';
import { addRegisterCommand } from './register.js';
import { addOptimizeCommand } from './optimize.js';
import { addViewCommand } from './view.js';
import { addFuseCommand } from './fuse.js';
import { addAnalyzeCommand } from './analyze.js';
import { addRunCommand } from './run.js';
import { addWorkerCommand } from './worker.js';
import { addServeCommand } from './serve.js';
import { addNatsCommand } from './nats.js';
import { addExportBdvCommand, addImportBdvCommand } from './bdv.js';
import { addStudyCommand } from './study.js';
import { addQueryCommand } from './query.js';
import { addGalleryCommand } from './gallery.js';

/** Every command of the CLI contract (ARCHITECTURE.md), in help order. */
export const COMMANDS: ((program: Command) => void)[] = [
  addSynthCommand,
  addImportCommand,
  addPyramidCommand,
  addRegisterCommand,
  addOptimizeCommand,
  addViewCommand,
  addFuseCommand,
  addAnalyzeCommand,
  addRunCommand,
  addWorkerCommand,
  addServeCommand,
  addNatsCommand,
  addExportBdvCommand,
  addImportBdvCommand,
  addStudyCommand,
  addQueryCommand,
  addGalleryCommand,
];

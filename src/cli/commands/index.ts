import type { Command } from 'commander';

type AddCommand = (program: Command) => void;

/**
 * Every command of the CLI contract (ARCHITECTURE.md), in help order, each loaded on demand: a
 * command's module pulls in its whole stage (Zarr, NATS, DuckDB...), and loading all of them cost
 * every invocation ~0.5 s of CPU before any work.
 */
const LOADERS: [name: string, load: () => Promise<AddCommand>][] = [
  ['synth', async () => (await import('./synth.js')).addSynthCommand],
  ['import', async () => (await import('./import.js')).addImportCommand],
  ['pyramid', async () => (await import('./pyramid.js')).addPyramidCommand],
  ['register', async () => (await import('./register.js')).addRegisterCommand],
  ['optimize', async () => (await import('./optimize.js')).addOptimizeCommand],
  ['view', async () => (await import('./view.js')).addViewCommand],
  ['fuse', async () => (await import('./fuse.js')).addFuseCommand],
  ['analyze', async () => (await import('./analyze.js')).addAnalyzeCommand],
  ['run', async () => (await import('./run.js')).addRunCommand],
  ['worker', async () => (await import('./worker.js')).addWorkerCommand],
  ['serve', async () => (await import('./serve.js')).addServeCommand],
  ['nats', async () => (await import('./nats.js')).addNatsCommand],
  ['export-bdv', async () => (await import('./bdv.js')).addExportBdvCommand],
  ['import-bdv', async () => (await import('./bdv.js')).addImportBdvCommand],
  ['study', async () => (await import('./study.js')).addStudyCommand],
  ['query', async () => (await import('./query.js')).addQueryCommand],
  ['gallery', async () => (await import('./gallery.js')).addGalleryCommand],
];

/** The named command alone when it is one of ours; every command otherwise (help, a typo's suggestions). */
export async function loadCommands(name: string | undefined): Promise<AddCommand[]> {
  const one = LOADERS.find(([n]) => n === name);
  return Promise.all((one ? [one] : LOADERS).map(([, load]) => load()));
}

import type { Command } from 'commander';
import { untilInterrupted } from '../until-interrupted.js';
import { loadStudy } from '../../study/load-study.js';
import { runStudy } from '../../study/run-study.js';
import { StitchgraphError } from '../../errors.js';

export function addStudyCommand(program: Command): void {
  const study = program.command('study').description('studies of many samples (docs/study.md): `study run study.yaml`');
  study
    .command('run <study>')
    .description("every sample's campaign through `run`, then its Parquet tables (resumable; a failing sample does not stop the others)")
    .option('--workers <n>', 'local workers (overrides distributed.workers)')
    .option('--servers <url>', 'NATS servers (overrides distributed)')
    .option('--fuse', 'fuse to OME-Zarr even when fusion.enabled is false')
    .action(async (file: string, o: { workers?: string; servers?: string; fuse?: boolean }) => {
      const s = await loadStudy(file);
      await untilInterrupted('Cannot finish study run: interrupted; finished samples are kept, run again to resume', async (signal) => {
        const res = await runStudy(s, {
          workers: o.workers === undefined ? undefined : Number(o.workers),
          servers: o.servers,
          fuse: o.fuse,
          signal,
          onSample: (sample, i, n, outcome) => {
            if (!outcome) return;
            const what = outcome.status === 'ok' ? `ok${outcome.nothingToDo ? ' (up to date)' : ''} (${outcome.seconds.toFixed(1)} s)` : `FAILED: ${outcome.error}`;
            process.stdout.write(`[${i + 1}/${n}] ${sample.id}: ${what}\n`);
          },
        });
        const ok = res.outcomes.length - res.failed.length;
        process.stdout.write(`study ${s.name}: ${ok} of ${res.outcomes.length} samples complete\n`);
        if (res.failed.length > 0) {
          throw new StitchgraphError('StageError', `Cannot finish study run: ${res.failed.length} of ${res.outcomes.length} samples failed (${res.failed.map((f) => f.sample).join(', ')}); the others are complete`);
        }
      });
    });
}

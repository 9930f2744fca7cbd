import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadStudy } from '../../study/load-study.js';
import { galleryStudy } from '../../study/gallery-study.js';
import { progressBar } from '../progress.js';
import { StitchgraphError } from '../../errors.js';

export function addGalleryCommand(program: Command): void {
  program
    .command('gallery <study> <sql>')
    .description('one PNG per result row with a sample and a position or bounding box (a slice through the object) and DIR/index.html')
    .requiredOption('--out <dir>', 'folder for the PNGs and index.html')
    .option('--max-rows <n>', 'refuse queries with more rows', '1000')
    .action(async (file: string, sql: string, o: { out: string; maxRows: string }) => {
      const maxRows = Number(o.maxRows);
      if (!Number.isInteger(maxRows) || maxRows < 1) throw new StitchgraphError('InputError', `Cannot make a gallery: --max-rows ${o.maxRows} must be a positive integer`);
      const bar = progressBar('gallery views', 1);
      let res: Awaited<ReturnType<typeof galleryStudy>>;
      try {
        res = await galleryStudy(await loadStudy(file), sql, resolve(o.out), { maxRows, onProgress: (d, t) => bar.update(d, t) });
      } finally {
        bar.stop();
      }
      process.stdout.write(`${res.entries.length} views → ${res.index}\n`);
    });
}

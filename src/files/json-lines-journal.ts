import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StitchgraphError } from '../errors.js';

/**
 * An append-only JSON-lines journal beside a state file: one line per finished item, appended as
 * it finishes, so a process killed between two rewrites of the state file loses at most the items
 * in flight. Reading tolerates a torn last line (the kill hit mid-append); a torn line elsewhere is
 * corruption and an error.
 */
export const jsonLinesJournal = {
  async append(path: string, record: unknown): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${JSON.stringify(record)}\n`);
  },

  async read<T>(path: string): Promise<T[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const lines = text.split('\n');
    const out: T[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]) continue;
      try {
        out.push(JSON.parse(lines[i]) as T);
      } catch (err) {
        if (i >= lines.length - 2 && !text.endsWith('\n')) break; // torn by a kill mid-append
        throw new StitchgraphError('InputError', `Cannot read ${path}: line ${i + 1} is not valid JSON (remove the file to recompute what it recorded)`, { cause: err, details: { file: path } });
      }
    }
    return out;
  },

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  },
};

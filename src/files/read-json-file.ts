import { readFile } from 'node:fs/promises';
import { StitchgraphError } from '../errors.js';

/**
 * Read and parse a JSON file, with errors that name the file and say what to do when it is
 * missing (`missingHint`, e.g. "run `stitchgraph register` first").
 */
export async function readJsonFile(path: string, missingHint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StitchgraphError('InputError', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file (${missingHint})` : String(err)}`, { cause: err, details: { file: path } });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StitchgraphError('InputError', `Cannot read ${path}: not valid JSON (${(err as Error).message})`, { cause: err, details: { file: path } });
  }
}

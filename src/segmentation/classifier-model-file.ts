import { readFile } from 'node:fs/promises';
import { StitchgraphError } from '../errors.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { PixelClassifier, type PixelClassifierJson } from './pixel-classifier.js';

const loaded = new Map<string, Promise<PixelClassifier>>();

/**
 * Read a classifier model file (`classifier.json`), once per process: every block job a worker
 * runs names the same file, and parsing a forest per block would cost more than some blocks.
 */
export function readClassifierModel(path: string): Promise<PixelClassifier> {
  let p = loaded.get(path);
  if (!p) {
    p = (async () => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new StitchgraphError('InputError', `Cannot read classifier model ${path}: ${(err as Error).message}`, { cause: err });
      }
      let json: PixelClassifierJson;
      try {
        json = JSON.parse(text) as PixelClassifierJson;
      } catch (err) {
        throw new StitchgraphError('InputError', `Cannot read classifier model ${path}: not JSON (${(err as Error).message})`, { cause: err });
      }
      return PixelClassifier.fromJSON(json, path);
    })();
    p.catch(() => loaded.delete(path));
    loaded.set(path, p);
  }
  return p;
}

/** Write a model file atomically (and forget any cached copy of that path). */
export async function writeClassifierModel(path: string, model: PixelClassifier): Promise<void> {
  loaded.delete(path);
  await writeJsonAtomic(path, model.toJSON());
}

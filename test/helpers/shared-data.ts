import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The workspace's shared real data sets: `../shared/data` beside the repository (also in CI). */
export const SHARED_DATA = join(fileURLToPath(new URL('../../', import.meta.url)), '..', 'shared', 'data');

/**
 * The folder of one shared data set, checked: a missing folder fails the test that needs it with
 * a message saying where the data were expected, not with a file error deep in an import.
 */
export function sharedDataSet(name: string): string {
  const dir = join(SHARED_DATA, name);
  if (!existsSync(dir)) {
    throw new Error(`Cannot find the shared data set "${name}" at ${dir}: the tests expect the workspace's shared/data folder beside the repository (../shared/data)`);
  }
  return dir;
}

/** The real 2-D fluorescence mosaic (two tiles and its truth); see `sharedDataSet`. */
export const realMosaic = (): string => sharedDataSet('real-2d-mosaic');

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The workspace's shared real data sets: `../shared/data` beside the repository (also in CI). */
export const SHARED_DATA = join(fileURLToPath(new URL('../../', import.meta.url)), '..', 'shared', 'data');

export const REAL_2D_MOSAIC = join(SHARED_DATA, 'real-2d-mosaic');

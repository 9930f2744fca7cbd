import { resolve } from 'node:path';
import { StitchgraphError } from '../errors.js';
import { openBlockSource, type BlockSource } from '../analysis/block-source.js';

/**
 * A volume named on the command line or in the YAML, as a block source any worker can open:
 * `FILE.tif` (a multi-page TIFF stack) or `STORE.zarr#path/in/store` (a 3-D Zarr array).
 * Relative paths are relative to `base`. `what` names the option in errors.
 */
export async function openVolumeInput(spec: string, what: string, base = process.cwd()): Promise<BlockSource> {
  const hash = spec.indexOf('#');
  if (hash > 0 && hash < spec.length - 1) return openBlockSource({ kind: 'zarr', store: resolve(base, spec.slice(0, hash)), path: spec.slice(hash + 1) });
  if (/\.tiff?$/i.test(spec)) return openBlockSource({ kind: 'tiff', file: resolve(base, spec) });
  throw new StitchgraphError('InputError', `Cannot read ${what} "${spec}": expected FILE.tif or STORE.zarr#path/in/store`);
}

import { StitchgraphError } from '../errors.js';
import type { Vec3 } from '../geometry/box.js';

/**
 * A campaign is all 2-D tiles (one plane, z = 1) or all 3-D: a plane among stacks cannot be
 * registered against them (it would end in a misleading "no distinct correlation peak").
 */
export function assertOneDimensionality(file: string, tiles: { id: string; shape: Vec3 }[]): void {
  const planes = tiles.filter((t) => t.shape[0] === 1);
  if (planes.length === 0 || planes.length === tiles.length) return;
  const stack = tiles.find((t) => t.shape[0] > 1)!;
  const plane = planes[0];
  throw new StitchgraphError('ConfigError', `Cannot open campaign ${file}: tile "${plane.id}" is 2-D (${plane.shape.join('×')}) but tile "${stack.id}" is 3-D (${stack.shape.join('×')}); a campaign's tiles must all be 2-D or all 3-D`, { details: { file, tile: plane.id } });
}

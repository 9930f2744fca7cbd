import { StitchgraphError } from '../errors.js';
import type { Vec3 } from '../geometry/box.js';

/** Parse "a,b,c" into three finite numbers; `flag` names the option in the error. */
export function parseVec3(text: string, flag: string): Vec3 {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v))) {
    throw new StitchgraphError('UsageError', `Cannot parse ${flag} "${text}": expected three numbers z,y,x`);
  }
  return [parts[0], parts[1], parts[2]];
}

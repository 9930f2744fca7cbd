/**
 * The resume key of a pair: a hash of everything that determines its result (tile arrays,
 * positions, shapes, data types, fields of view, the boxes read and the registration parameters).
 * A pair already in pairs.json with the same key is not recomputed.
 */
import { createHash } from 'node:crypto';

/** Bump when the algorithm changes in a way that changes results. */
export const REGISTRATION_VERSION = 1;

export function pairKey(inputs: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: REGISTRATION_VERSION, ...inputs }))
    .digest('hex')
    .slice(0, 32);
}

import { StitchgraphError } from '../errors.js';

export interface ChecksumPayload {
  /** Seed of the pseudo-random stream (any integer). */
  seed: number;
  /** Numbers to draw and fold in: the CPU cost, about 1 ns each. */
  n: number;
}

export interface ChecksumResult {
  /** FNV-1a (32 bit) over the stream, hex. */
  hash: string;
  /** Sum of the stream mapped to [0, 1), rounded to 1e-6: a float that must match bit for bit anywhere. */
  mean: number;
}

/**
 * A deterministic CPU-bound job kind (`checksum`) for dispatch tests and benchmarks: draws `n`
 * numbers from xorshift32 (Marsaglia 2003, doi:10.18637/jss.v008.i14) seeded with `seed` and
 * folds them with FNV-1a. Same payload, same result, on any executor or machine.
 */
export function checksum(payload: ChecksumPayload): ChecksumResult {
  const { seed, n } = payload ?? ({} as ChecksumPayload);
  if (!Number.isInteger(seed) || !Number.isInteger(n) || n < 0) {
    throw new StitchgraphError('InputError', `Cannot compute checksum: expected integer seed and n ≥ 0, got ${JSON.stringify(payload)}`);
  }
  let x = (seed | 0) || 0x9e3779b9;
  let h = 0x811c9dc5;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    h = Math.imul(h ^ (x & 0xff), 0x01000193);
    sum += (x >>> 0) / 4294967296;
  }
  return { hash: (h >>> 0).toString(16).padStart(8, '0'), mean: n > 0 ? Math.round((sum / n) * 1e6) / 1e6 : 0 };
}

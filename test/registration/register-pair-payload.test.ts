import { describe, it, expect } from 'vitest';
import { registerPairJob } from '../../src/registration/register-pair-job.js';
import { PairJobPayloadSchema } from '../../src/registration/register-pair-payload.js';
import { isStitchgraphError } from '../../src/errors.js';

describe('register-pair payload schema (one schema for the coordinator and the worker)', () => {
  it('the worker refuses a bad payload with an InputError naming the fields (NATS workers term it, no retry)', async () => {
    const err = await registerPairJob({ campaign: '/x/c.yaml', a: 't0', b: 7, boxA: { start: [0, 0], size: [1, 1, 1] } }).catch((e: unknown) => e);
    expect(isStitchgraphError(err, 'InputError')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^Cannot run a register-pair job: invalid payload \(/);
    for (const field of ['b:', 'boxA.start:', 'boxB:', 'params:', 'key:']) expect(msg).toContain(field);
  });

  it('keeps fields it does not know (a newer coordinator may send more)', () => {
    const v3 = [0, 0, 0];
    const box = { start: v3, size: [1, 1, 1] };
    const params = { downsample: [1, 1, 1], peaks: 5, apodization: 0.1, peak_smoothing: 0, min_correlation: 0.3, min_isotropy: 0, subvoxel: 'gradient' };
    const parsed = PairJobPayloadSchema.parse({ campaign: '/c.yaml', a: 'a', b: 'b', boxA: box, boxB: box, nominalShift: v3, margin: v3, minOverlap: v3, params, key: 'k', extra_field: 1 });
    expect(parsed).toMatchObject({ extra_field: 1, key: 'k' });
  });
});

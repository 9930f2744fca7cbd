import type { z } from 'zod';
import { StitchgraphError } from '../errors.js';

/**
 * Check a job's payload against its kind's schema: the coordinator when it builds the job, the
 * worker before it runs it, with the same schema. A bad payload is an `InputError` naming the kind
 * and the fields, which NATS workers `term()` at once (no retry can fix it).
 */
export function parseJobPayload<S extends z.ZodType>(kind: string, schema: S, payload: unknown): z.output<S> {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
  throw new StitchgraphError('InputError', `Cannot run a ${kind} job: invalid payload (${fields})`, { details: { kind, issues: r.error.issues } });
}

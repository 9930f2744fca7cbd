import { StitchgraphError } from '../errors.js';

/** A bad flag or value on the command line: the CLI exits 2 for these (1 for failures). */
export function usageError(message: string): StitchgraphError<'UsageError'> {
  return new StitchgraphError('UsageError', message);
}

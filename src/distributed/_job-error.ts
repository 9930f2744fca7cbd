import { isStitchgraphError } from '../errors.js';

/** A handler's error as it crosses a thread or the network: message plus the StitchgraphError tag, if any. */
export interface JobErrorInfo {
  message: string;
  tag?: string;
}

export function jobErrorInfo(err: unknown): JobErrorInfo {
  if (isStitchgraphError(err)) return { message: err.message, tag: err._tag };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** Errors that no retry can fix (bad descriptor, bad parameters): NATS workers `term()` them at once. */
export function isPermanentJobError(info: JobErrorInfo): boolean {
  return info.tag === 'InputError' || info.tag === 'ConfigError';
}

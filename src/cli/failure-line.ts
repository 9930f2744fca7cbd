import { CommanderError } from 'commander';
import { isStitchgraphError } from '../errors.js';

/** Exit status of a failed command: 2 for usage errors (bad flags or values, unknown commands), 1 otherwise. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return 2;
  if (isStitchgraphError(err, 'UsageError') || isStitchgraphError(err, 'NotImplemented')) return 2;
  return 1;
}

/**
 * The one line a failure ends with: the error's first line, without commander's `error: ` lead-in,
 * and for raw system errors (EACCES, EROFS, ENOSPC...) the path and what to do.
 */
export function failureLine(err: unknown): string {
  if (err instanceof CommanderError) return `${err.message.replace(/^error:\s*/, '').split('\n')[0]} (see --help)`;
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0];
  if (isStitchgraphError(err)) return first;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const path = (err as NodeJS.ErrnoException | undefined)?.path;
  if (code && path) {
    const hint = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? 'no permission to write there' : code === 'ENOENT' ? 'no such file or folder' : code;
    return `Cannot access ${path}: ${hint} (${code})`;
  }
  return first;
}

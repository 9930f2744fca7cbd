import { StitchgraphError } from '../errors.js';

/**
 * Run `work` with a signal that Ctrl-C or SIGTERM aborts. An interrupted command fails with
 * `reason` (one `stitchgraph:` line), whatever error the aborted work threw; the stages keep what
 * they finished, so a rerun resumes.
 */
export async function untilInterrupted<T>(reason: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const stop = () => ac.abort(new StitchgraphError('StageError', reason));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(ac.signal);
  } catch (err) {
    if (ac.signal.aborted) throw ac.signal.reason;
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary folder for the whole test run: TMPDIR points into it (test workers and the
 * processes they start inherit it, so every mkdtemp lands there), and it is removed at the end,
 * so repeated runs do not fill the disk with synthetic campaigns.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'stitchgraph-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (!process.env.STITCHGRAPH_KEEP_TEST_TMP) rmSync(dir, { recursive: true, force: true });
  };
}

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Write the lines of a generator to `path` as they come (memory: one buffer, not the file),
 * atomically: into a temporary name in the same folder, renamed when complete.
 */
export async function writeLinesAtomic(path: string, lines: Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const out = createWriteStream(tmp);
  try {
    let buf = '';
    for (const line of lines) {
      buf += line + '\n';
      if (buf.length >= 1 << 16) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    }
    out.end(buf);
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

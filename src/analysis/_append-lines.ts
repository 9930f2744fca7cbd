import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Lines appended to a temporary file beside `path` (one 64 KiB buffer in memory), renamed onto
 * `path` by `commit`, removed by `discard`: a table written by streaming appends is never seen
 * half-written. Synchronous, so a synchronous producer (the graph pass) can feed it.
 */
export class AppendLines {
  readonly tmp: string;
  private fd: number;
  private buf = '';
  lines = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.fd = openSync(this.tmp, 'w');
  }

  push(line: string): void {
    this.buf += line + '\n';
    this.lines++;
    if (this.buf.length >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.buf.length > 0) writeSync(this.fd, this.buf);
    this.buf = '';
  }

  /** Append the content of a closed file (a part written by another `AppendLines`). */
  append(part: string): void {
    this.flush();
    const fd = openSync(part, 'r');
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) writeSync(this.fd, chunk, 0, n);
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  commit(): void {
    this.close();
    renameSync(this.tmp, this.path);
  }

  discard(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.buf = '';
    rmSync(this.tmp, { force: true });
  }
}

import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, utimesSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireWorkdirLock, LOCK_FILE } from '../../src/files/workdir-lock.js';
import { isStitchgraphError } from '../../src/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-lock-'));
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

function writeLock(dir: string, holder: { host: string; pid: number }, ageS = 0): void {
  const f = join(dir, LOCK_FILE);
  writeFileSync(f, JSON.stringify({ ...holder, command: 'stitchgraph run x.yaml', started: '2026-01-01T00:00:00Z', nonce: 'n1' }));
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(f, t, t);
}

describe('acquireWorkdirLock', () => {
  it('a second holder fails at once, naming the holder; after release it gets the lock', async () => {
    const dir = tmp();
    const first = await acquireWorkdirLock(dir, { command: 'stitchgraph register c.yaml' });
    const err = await acquireWorkdirLock(dir).catch((e: unknown) => e);
    expect(isStitchgraphError(err, 'WorkdirLocked')).toBe(true);
    expect((err as Error).message).toContain(`in use by pid ${process.pid} on ${hostname()} (stitchgraph register c.yaml`);
    await first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await (await acquireWorkdirLock(dir)).release();
  });

  it('waits for the holder when asked, and says once that it waits', async () => {
    const dir = tmp();
    const first = await acquireWorkdirLock(dir);
    const waits: number[] = [];
    const second = acquireWorkdirLock(dir, { waitSeconds: 60, onWait: (h) => waits.push(h.pid) });
    await new Promise((r) => setTimeout(r, 300));
    await first.release();
    await (await second).release();
    expect(waits).toEqual([process.pid]);
  });

  it('takes over a lock whose process died on this host (kill -9), at once', async () => {
    const dir = tmp();
    writeLock(dir, { host: hostname(), pid: deadPid() });
    const lock = await acquireWorkdirLock(dir);
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('on a shared filesystem: a lock from another host is stale only when its heartbeat stopped', async () => {
    const dir = tmp();
    writeLock(dir, { host: 'other-node', pid: 1 });
    await expect(acquireWorkdirLock(dir, { staleSeconds: 60 })).rejects.toThrow(/in use by pid 1 on other-node/);
    writeLock(dir, { host: 'other-node', pid: 1 }, 120);
    const lock = await acquireWorkdirLock(dir, { staleSeconds: 60 });
    await lock.release();
  });

  it('a workdir that cannot be created fails before any work, naming it', async () => {
    // A file where the workdir's parent should be (root may write anywhere, so no chmod here).
    const parent = join(tmp(), 'a-file');
    writeFileSync(parent, 'x');
    const wd = join(parent, 'out');
    await expect(acquireWorkdirLock(wd)).rejects.toThrow(`Cannot create workdir ${wd}: a file is in the way (ENOTDIR)`);
  });
});

import { open, readFile, rename, rm, rmdir, stat, utimes, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StitchgraphError } from '../errors.js';

/** What the lock file says about its holder. */
export interface LockHolder {
  host: string;
  pid: number;
  command: string;
  started: string;
  /** Distinguishes two lives of one pid, and our own lock from a successor's. */
  nonce: string;
}

export interface WorkdirLockOptions {
  /** What the holder is doing, shown to whoever waits (`stitchgraph run`). */
  command?: string;
  /** Seconds to wait for another holder; 0: fail at once naming it. @default 0 */
  waitSeconds?: number;
  /** Called once when the lock is busy and we wait (the CLI says so). */
  onWait?: (holder: LockHolder) => void;
  /** A lock whose file was not touched for this long is stale (a holder on another host died). @default 60 */
  staleSeconds?: number;
}

export interface WorkdirLock {
  readonly file: string;
  release(): Promise<void>;
}

export const LOCK_FILE = '.stitchgraph.lock';
/** How often a holder touches its lock file: well under the staleness limit. */
const HEARTBEAT_MS = 5_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An unreadable lock older than this was left half-written by a creator that died. */
const TORN_LOCK_MS = 5_000;

async function readHolder(file: string): Promise<{ holder: LockHolder; ageMs: number } | undefined> {
  let text: string, ageMs: number;
  try {
    [text, ageMs] = await Promise.all([readFile(file, 'utf8'), stat(file).then((st) => Date.now() - st.mtimeMs)]);
  } catch {
    return undefined; // released meanwhile: look again
  }
  try {
    return { holder: JSON.parse(text) as LockHolder, ageMs };
  } catch {
    // Being written this instant, or torn by a creator that died between create and write.
    return ageMs > TORN_LOCK_MS ? { holder: { host: '', pid: 0, command: '?', started: '?', nonce: '' }, ageMs: Infinity } : undefined;
  }
}

/** Stale: its process is gone (same host), or its heartbeat stopped (any host, shared filesystem). */
function isStale(h: { holder: LockHolder; ageMs: number }, staleMs: number): boolean {
  if (h.holder.host === hostname() && h.holder.pid > 0) return !processAlive(h.holder.pid);
  return h.ageMs > staleMs;
}

/**
 * Take over a stale lock: rename it aside (only one contender's rename succeeds), and put it back
 * if what was renamed is not the lock judged stale (a contender already replaced it).
 */
async function breakStaleLock(file: string, judged: LockHolder): Promise<void> {
  const aside = `${file}.stale.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readFile(aside, 'utf8').then((t) => JSON.parse(t) as LockHolder).catch(() => undefined);
  if (moved && judged.nonce !== '' && moved.nonce !== judged.nonce) await rename(aside, file).catch(() => {});
  else await rm(aside, { force: true });
}

async function tryCreate(file: string, me: LockHolder, workdir: string): Promise<boolean> {
  try {
    const fh = await open(file, 'wx');
    await fh.writeFile(JSON.stringify(me));
    await fh.close();
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    const why = fsReason(err as NodeJS.ErrnoException);
    throw new StitchgraphError('InputError', `Cannot write to workdir ${workdir}: ${why} (${code ?? 'error'}); make it writable or set another workdir`, { cause: err, details: { file: workdir } });
  }
}

function fsReason(err: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = { EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'permission denied', ENOSPC: 'the disk is full', ENOTDIR: 'a file is in the way' };
  return reasons[err.code ?? ''] ?? err.message;
}

/** rmdir from `dir` up to `top` while empty (rmdir refuses a folder that has anything in it). */
async function removeEmptyDirs(dir: string, top: string): Promise<void> {
  for (let d = dir; d.length >= top.length; d = dirname(d)) {
    if (!(await rmdir(d).then(() => true, () => false))) return;
    if (d === top) return;
  }
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host} (${h.command}, since ${h.started})`;
}

/**
 * Hold a workdir for one process at a time: `workdir/.stitchgraph.lock`, created with O_EXCL, says
 * who holds it and is touched every few seconds. A second process waits (`waitSeconds`) or fails at
 * once naming the holder. Creating the lock is also the first write to the workdir, so an
 * unwritable workdir fails here, before any work.
 */
export async function acquireWorkdirLock(workdir: string, opts: WorkdirLockOptions = {}): Promise<WorkdirLock> {
  const file = join(workdir, LOCK_FILE);
  const staleMs = (opts.staleSeconds ?? 60) * 1000;
  const deadline = Date.now() + (opts.waitSeconds ?? 0) * 1000;
  const me: LockHolder = { host: hostname(), pid: process.pid, command: opts.command ?? 'stitchgraph', started: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  const firstCreated = await mkdir(workdir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new StitchgraphError('InputError', `Cannot create workdir ${workdir}: ${fsReason(err)} (${err.code}); make it writable or set another workdir`, { cause: err, details: { file: workdir } });
  });
  let waited = false;
  while (!(await tryCreate(file, me, workdir))) {
    const h = await readHolder(file);
    if (h && isStale(h, staleMs)) {
      await breakStaleLock(file, h.holder);
      continue;
    }
    if (h && Date.now() >= deadline) {
      throw new StitchgraphError('WorkdirLocked', `Cannot use workdir ${workdir}: it is in use by ${describeHolder(h.holder)}; wait for it to finish, pass --wait-lock, or remove ${file} if that process is gone`, { details: { file, holder: h.holder } });
    }
    if (h && !waited) {
      waited = true;
      opts.onWait?.(h.holder);
    }
    await sleep(h ? 500 : 50);
  }
  const beat = setInterval(() => void utimes(file, new Date(), new Date()).catch(() => {}), HEARTBEAT_MS);
  beat.unref();
  return {
    file,
    async release() {
      clearInterval(beat);
      const h = await readHolder(file);
      if (h?.holder.nonce !== me.nonce) return;
      await rm(file, { force: true });
      // A command that failed before writing anything leaves no empty workdir behind.
      if (firstCreated) await removeEmptyDirs(workdir, firstCreated);
    },
  };
}

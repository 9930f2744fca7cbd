/**
 * The child processes a benchmark started and has not seen exit, so that an error, Ctrl-C or the
 * normal end stops each of them by its own id (never by name): no server is left running. Children
 * are started `detached` (a process group of their own) and signalled as a group, so that the
 * CLI under /usr/bin/time stops with it.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

/** Remember `child` until it exits. */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`, to one child; resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stop every child still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c)));
}

/** On SIGINT/SIGTERM stop the children before exiting; synchronous SIGKILL on a plain exit. */
export function stopChildrenOnExit(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      void stopAllChildren().finally(() => process.exit(130));
    });
  process.once('exit', () => {
    for (const c of live) signalGroup(c, 'SIGKILL');
  });
}

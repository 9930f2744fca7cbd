import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures', 'test-kinds.ts');

export interface WorkerProc {
  id: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/** A `stitchgraph worker` process from the TS sources, with the test job kinds; resolves once it says it is ready. */
export async function spawnWorker(url: string, id: string, extra: string[] = []): Promise<WorkerProc> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--log-level', 'warn', 'worker', '--servers', url, '--id', id, '--import', fixtures, ...extra], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let err = '';
  await new Promise<void>((res, rej) => {
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(': ready')) res();
    });
    void exited.then((code) => rej(new Error(`worker ${id} exited (${code}) before it was ready:\n${err}`)));
  });
  return { id, proc, exited };
}

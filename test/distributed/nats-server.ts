import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsTestServer {
  url: string;
  port: number;
  storeDir: string;
  stop(): Promise<void>;
  /** Stop the server and keep its store, for a restart on the same port and store. */
  halt(): Promise<void>;
}

/** A free loopback TCP port (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Start `nats-server -js [extraArgs]` on a free loopback port with a temporary store; `stop()` kills it and removes the store. */
export async function startNatsServer(extraArgs: string[] = [], at?: { port: number; storeDir: string }): Promise<NatsTestServer> {
  const storeDir = at?.storeDir ?? mkdtempSync(join(tmpdir(), 'sg-nats-'));
  const port = at?.port ?? (await freePort());
  const proc: ChildProcess = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Cannot start nats-server (install it: bash scripts/setup.sh): ${err.message}`));
    });
    proc.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  proc.stderr?.resume();
  const halt = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop() {
      await halt();
      rmSync(storeDir, { recursive: true, force: true });
    },
    halt,
  };
}

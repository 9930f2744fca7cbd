/**
 * Why region reads do not hand out SharedArrayBuffer-backed results written by the decode workers
 * (the one design that would take the main thread's copy and page faults off it): in Node 20 a
 * SharedArrayBuffer's memory is not counted as external memory, so allocating one per read never
 * triggers a collection, and one posted to a worker lives until that worker collects it too.
 * Prints RSS after every 10 of 40 regions of 64 MiB for: SharedArrayBuffer on the main thread
 * alone, ArrayBuffer alone (the read path today), and SharedArrayBuffer halves filled by two
 * workers that run a minor GC after each job (--expose-gc set at run time).
 *
 *   npx tsx bench/zarr-read/sab-retention.ts
 */
import { Worker } from 'node:worker_threads';

const N = 64 * 1024 * 1024;
const rss = (): string => `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;
const touch = (u: Uint8Array): void => {
  for (let j = 0; j < u.length; j += 4096) u[j] = 1;
};

function alone(kind: 'SharedArrayBuffer' | 'ArrayBuffer'): string[] {
  const seen: string[] = [];
  for (let i = 1; i <= 40; i++) {
    touch(new Uint8Array(kind === 'SharedArrayBuffer' ? new SharedArrayBuffer(N) : new ArrayBuffer(N)));
    if (i % 10 === 0) seen.push(rss());
  }
  return seen;
}

const WORKER = `
const { parentPort } = require('node:worker_threads');
require('node:v8').setFlagsFromString('--expose-gc');
const collect = require('node:vm').runInNewContext('gc');
parentPort.on('message', ({ sab, half }) => {
  const u = new Uint8Array(sab, half * (sab.byteLength / 2), sab.byteLength / 2);
  for (let i = 0; i < u.length; i += 4096) u[i] = 1;
  collect({ type: 'minor' });
  parentPort.postMessage(0);
});`;

async function withWorkers(): Promise<string[]> {
  const ws = [new Worker(WORKER, { eval: true }), new Worker(WORKER, { eval: true })];
  const seen: string[] = [];
  for (let i = 1; i <= 40; i++) {
    const sab = new SharedArrayBuffer(N);
    await Promise.all(ws.map((w, half) => new Promise((done) => {
      w.once('message', done);
      w.postMessage({ sab, half });
    })));
    if (i % 10 === 0) seen.push(rss());
  }
  await Promise.all(ws.map((w) => w.terminate()));
  return seen;
}

console.log(`RSS after 10, 20, 30, 40 regions of 64 MiB (node ${process.version}):`);
console.log(`  ArrayBuffer, main thread:                     ${alone('ArrayBuffer').join(', ')}`);
console.log(`  SharedArrayBuffer, main thread:               ${alone('SharedArrayBuffer').join(', ')}`);
console.log(`  SharedArrayBuffer filled by 2 workers (+ GC): ${(await withWorkers()).join(', ')}`);

/**
 * Where the CPU of a region read goes, thread by thread (Linux: /proc/self/task/<tid>/stat, 10 ms
 * ticks summed over REPEATS reads): the main thread (copying strips into the region, first-touch
 * page faults of a fresh region), the decode workers (reading chunk files, zstd, unshuffling,
 * assembling strips) and V8's platform threads (garbage collection, freeing old regions). Also the
 * process's CPU per read (all threads, process.cpuUsage) and its system share, and wall time.
 *
 *   npx tsx bench/zarr-read/cpu-per-thread.ts [--array blosc_zstd] [--shape 128,512,512] [--sub] [--into] [--repeats 20]
 *
 * --sub: the bench's sub-region instead of the whole tile; --into: every read into one array.
 * Data: bench/out/zarr-read/<shape> (made by bench-zarr-read.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import { allocTyped } from '../../src/zarrio/dtypes.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const shape = opt('shape', '128,512,512').split(',').map(Number) as Vec3;
const name = opt('array', 'blosc_zstd');
const repeats = Number(opt('repeats', '20'));
const sub = args.includes('--sub');

/** CPU ms so far of each thread of this process, by "tid:name". */
function threadTicks(): Map<string, number> {
  return new Map(
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
      return [`${tid}:${comm}`, (Number(fields[11]) + Number(fields[12])) * 10];
    }),
  );
}

const tile = await openTileArray(openFileStore(join(HERE, '../out/zarr-read', shape.join('x'))), name, '', { cache: null });
const box: Box3 = sub
  ? { start: [Math.floor(shape[0] / 4), 100, 100], size: [Math.floor(shape[0] / 2), Math.min(300, shape[1] - 100), Math.min(300, shape[2] - 100)] }
  : { start: [0, 0, 0], size: shape };
const into = args.includes('--into') ? allocTyped(tile.dtype, box.size[0] * box.size[1] * box.size[2]) : undefined;
for (let i = 0; i < 3; i++) await tile.readRegion(box, { into });
const before = threadTicks();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < repeats; i++) await tile.readRegion(box, { into });
const wall = (performance.now() - t0) / repeats;
const cpu = process.cpuUsage(c0);
const threads = [...threadTicks()].map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / repeats] as const).filter(([, v]) => v > 0);
const mainTid = String(process.pid);
const label = (k: string): string => (k.startsWith(`${mainTid}:`) ? `main ${k}` : k);
console.log(
  `${name} ${sub ? 'sub-region' : 'whole tile'} [${box.start}]+[${box.size}]${into ? ' into one array' : ''}, ${repeats} reads: wall ${wall.toFixed(1)} ms/read, ` +
    `CPU ${((cpu.user + cpu.system) / 1000 / repeats).toFixed(1)} ms/read (system ${(cpu.system / 1000 / repeats).toFixed(1)}); per thread ms/read: ` +
    threads.map(([k, v]) => `${label(k)} ${v.toFixed(1)}`).join(', '),
);
process.exit(0);

/**
 * CPU cost of whole-tile reads (all threads of this process, and the main thread's share by its
 * event-loop utilisation), steadier than wall time on a loaded machine. Compare with zarr-python's
 * single-threaded CPU time on the same data (bench/zarr-read/zarr_python_cpu.py). Minor page
 * faults per read show the cost of the fresh region (each 4 KiB page is faulted and zeroed by the
 * kernel on first write: system time).
 *
 *   npx tsx bench/zarr-read/cpu-whole-tile.ts [--shape 64,512,512] [--array blosc_zstd] [--repeats 20] [--into]
 * --into: every read goes into one array (readRegion's `into`), as zarr-python's `out=`.
 * Data: bench/out/zarr-read/<shape> (made by bench-zarr-read.ts / make_data.py).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openTileArray, openFileStore } from '../../src/zarrio/tile-array.js';
import type { Vec3 } from '../../src/geometry/box.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const shape = opt('shape', '64,512,512').split(',').map(Number) as Vec3;
const repeats = Number(opt('repeats', '20'));
const name = opt('array', 'blosc_zstd');
const tile = await openTileArray(openFileStore(join(HERE, '../out/zarr-read', shape.join('x'))), name, '', { cache: null });
const box = { start: [0, 0, 0] as Vec3, size: shape };
const into = args.includes('--into') ? new Uint16Array(shape[0] * shape[1] * shape[2]) : undefined;
for (let i = 0; i < 3; i++) await tile.readRegion(box, { into });
const f0 = process.resourceUsage().minorPageFault;
const c0 = process.cpuUsage();
const e0 = performance.eventLoopUtilization();
const t0 = performance.now();
for (let i = 0; i < repeats; i++) await tile.readRegion(box, { into });
const wall = (performance.now() - t0) / repeats;
const c = process.cpuUsage(c0);
const elu = performance.eventLoopUtilization(e0);
const faults = (process.resourceUsage().minorPageFault - f0) / repeats;
const mb = (shape[0] * shape[1] * shape[2] * 2) / 1e6;
console.log(`${name} whole tile${into ? ' into one array' : ''} ${shape.join('×')} (${mb.toFixed(1)} MB), ${repeats} reads: wall ${wall.toFixed(1)} ms/read, CPU all threads ${((c.user + c.system) / 1000 / repeats).toFixed(1)} ms/read (user ${(c.user / 1000 / repeats).toFixed(1)}, sys ${(c.system / 1000 / repeats).toFixed(1)}), main thread busy ${(elu.active / repeats).toFixed(1)} ms/read, ${faults.toFixed(0)} minor page faults/read`);
// The decode pool's workers are unref'd: the process ends by itself.

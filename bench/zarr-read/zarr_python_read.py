"""Time zarr-python reading one region: prints JSON for the TS bench (bench-zarr-read.ts):
{seconds: [...] wall per read, cpu_seconds: [...] user+system of the whole process (all of
blosc's threads) per read, checksum, zarr, numcodecs, blosc_threads, use_threads}.

    /usr/bin/python3 bench/zarr-read/zarr_python_read.py STORE ARRAY z0,y0,x0 d,h,w REPEATS [out]

`out`: every read goes into one preallocated array (`get_basic_selection(..., out=)`), the
counterpart of stitchgraph's `readRegion(box, { into })`; otherwise each read returns a fresh array,
as `arr[sel]` does. numcodecs' blosc is left as it is (its thread count is printed): from the main
thread it splits each chunk over `get_nthreads()` threads (all cores).
"""
import json
import resource
import sys
import time

import numcodecs
import numpy as np
import zarr

store, name, start, size, repeats = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
into = len(sys.argv) > 6 and sys.argv[6] == 'out'
s = [int(v) for v in start.split(',')]
n = [int(v) for v in size.split(',')]
arr = zarr.open_array(f'{store}/{name}', mode='r')
sel = tuple(slice(a, a + b) for a, b in zip(s, n))
out = np.empty(n, dtype=arr.dtype) if into else None


def read():
    return arr.get_basic_selection(sel, out=out) if into else arr[sel]


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


v = read()  # warm: imports, codec set-up, OS page cache
times, cpus = [], []
for _ in range(repeats):
    c0 = cpu()
    t0 = time.perf_counter()
    v = read()
    times.append(time.perf_counter() - t0)
    cpus.append(cpu() - c0)
if into:
    v = out
print(json.dumps({
    'seconds': times,
    'cpu_seconds': cpus,
    'checksum': int(v.astype('int64').sum()),
    'zarr': zarr.__version__,
    'numcodecs': numcodecs.__version__,
    'blosc_threads': numcodecs.blosc.get_nthreads() if hasattr(numcodecs.blosc, 'get_nthreads') else None,
    'use_threads': getattr(numcodecs.blosc, 'use_threads', None),
}))

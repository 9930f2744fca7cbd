"""Time zarr-python reading one region: prints JSON {seconds: [...], checksum} for the TS bench.

    /usr/bin/python3 bench/zarr-read/zarr_python_read.py STORE ARRAY z0,y0,x0 d,h,w REPEATS
"""
import json
import sys
import time

import numcodecs
import zarr

store, name, start, size, repeats = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
s = [int(v) for v in start.split(',')]
n = [int(v) for v in size.split(',')]
arr = zarr.open_array(f'{store}/{name}', mode='r')
sel = tuple(slice(a, a + b) for a, b in zip(s, n))
arr[sel]  # warm: imports, codec set-up, OS page cache
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    v = arr[sel]
    times.append(time.perf_counter() - t0)
print(json.dumps({'seconds': times, 'checksum': int(v.astype('int64').sum()), 'zarr': zarr.__version__, 'numcodecs': numcodecs.__version__, 'blosc_threads': numcodecs.blosc.get_nthreads() if hasattr(numcodecs.blosc, 'get_nthreads') else None}))

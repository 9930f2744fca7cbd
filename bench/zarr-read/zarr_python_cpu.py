"""CPU time of zarr-python whole-array reads (user and system, page faults), to set beside
bench/zarr-read/cpu-whole-tile.ts:

    /usr/bin/python3 bench/zarr-read/zarr_python_cpu.py bench/out/zarr-read/64x512x512/blosc_zstd [THREADS] [REPEATS]

THREADS: numcodecs' blosc threads (1: single-threaded, as the issue's comparison).
"""
import resource
import sys

import numcodecs
import zarr

path = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 20
numcodecs.blosc.set_nthreads(threads)
arr = zarr.open_array(path, mode='r')
arr[:]  # warm: imports, codec set-up, OS page cache
r0 = resource.getrusage(resource.RUSAGE_SELF)
for _ in range(repeats):
    arr[:]
r1 = resource.getrusage(resource.RUSAGE_SELF)
user, sys_ = (r1.ru_utime - r0.ru_utime) / repeats * 1000, (r1.ru_stime - r0.ru_stime) / repeats * 1000
print(f'zarr-python {zarr.__version__}, blosc threads {threads}: CPU {user + sys_:.1f} ms/read (user {user:.1f}, sys {sys_:.1f}), {(r1.ru_minflt - r0.ru_minflt) / repeats:.0f} minor page faults/read')

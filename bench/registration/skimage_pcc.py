"""scikit-image phase_cross_correlation on the same arrays as bench-pair.ts (run by it).

usage: skimage_pcc.py a.raw b.raw d h w factor_z factor_y factor_x upsample
Prints one JSON line: the shift (in full-resolution voxels) and the seconds of the call alone
(block averaging included, reading excluded)."""
import json
import sys
import time

import numpy as np
from skimage.registration import phase_cross_correlation

a_path, b_path = sys.argv[1], sys.argv[2]
shape = tuple(int(v) for v in sys.argv[3:6])
f = tuple(int(v) for v in sys.argv[6:9])
up = int(sys.argv[9])
a = np.fromfile(a_path, dtype="<u2").reshape(shape)
b = np.fromfile(b_path, dtype="<u2").reshape(shape)


def block(x):
    d, h, w = (s // k for s, k in zip(x.shape, f))
    x = x[: d * f[0], : h * f[1], : w * f[2]].astype(np.float32)
    return x.reshape(d, f[0], h, f[1], w, f[2]).mean(axis=(1, 3, 5))


t0 = time.perf_counter()
ra, rb = (block(a), block(b)) if f != (1, 1, 1) else (a.astype(np.float32), b.astype(np.float32))
shift, error, _ = phase_cross_correlation(ra, rb, upsample_factor=up)
seconds = time.perf_counter() - t0
print(json.dumps({"shift": [float(s) * k for s, k in zip(shift, f)], "seconds": seconds}))

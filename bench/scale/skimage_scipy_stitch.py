"""Peer for bench/scale/speed-vs-skimage.ts: register + optimise a campaign the plain way.

usage: skimage_scipy_stitch.py pairs.json out.json
pairs.json (written by the bench): {"store": path (Zarr v3, blosc chunks), "tiles": {id: {"array": path, "nominal": [z,y,x]}},
"pairs": [{"a", "b", "boxA": {"start", "size"}, "boxB": {...}, "nominal_shift": [...]}], "upsample": k}
For each pair: read both overlap boxes (numcodecs' blosc), scikit-image phase_cross_correlation
(upsample_factor k) after the same block averaging as ours ([1, 2, 2]), the shift made relative to
the boxes; then the global positions by scipy's sparse least squares (lsqr), tile 0 fixed.
Writes {"positions": {id: [z,y,x]}, "seconds": s}. One thread (the caller sets the env vars).
"""
import json
import sys
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402
import numcodecs  # noqa: E402
from skimage.registration import phase_cross_correlation  # noqa: E402

spec = json.load(open(sys.argv[1]))
f = (1, 2, 2)
blosc = numcodecs.Blosc()


def read_box(path, s, e):
    """A box of a Zarr v3 array (regular chunks, "/" keys, bytes + blosc): zarr-python 2 reads no v3."""
    meta = json.load(open(f"{path}/zarr.json"))
    ch = meta["chunk_grid"]["configuration"]["chunk_shape"]
    out = np.zeros([e[i] - s[i] for i in range(3)], dtype=meta["data_type"])
    for cz in range(s[0] // ch[0], (e[0] - 1) // ch[0] + 1):
        for cy in range(s[1] // ch[1], (e[1] - 1) // ch[1] + 1):
            for cx in range(s[2] // ch[2], (e[2] - 1) // ch[2] + 1):
                c = (cz, cy, cx)
                raw = open(f"{path}/c/{cz}/{cy}/{cx}", "rb").read()
                chunk = np.frombuffer(blosc.decode(raw), dtype="<" + np.dtype(meta["data_type"]).str[1:]).reshape(ch)
                lo = [max(s[i], c[i] * ch[i]) for i in range(3)]
                hi = [min(e[i], (c[i] + 1) * ch[i]) for i in range(3)]
                out[lo[0] - s[0]:hi[0] - s[0], lo[1] - s[1]:hi[1] - s[1], lo[2] - s[2]:hi[2] - s[2]] = chunk[
                    lo[0] - c[0] * ch[0]:hi[0] - c[0] * ch[0], lo[1] - c[1] * ch[1]:hi[1] - c[1] * ch[1], lo[2] - c[2] * ch[2]:hi[2] - c[2] * ch[2]]
    return out


def read(tile, box):
    s = box["start"]
    e = [s[i] + box["size"][i] for i in range(3)]
    x = read_box(f"{spec['store']}/{spec['tiles'][tile]['array']}", s, e).astype(np.float32)
    d, h, w = (n // k for n, k in zip(x.shape, f))
    return x[: d * f[0], : h * f[1], : w * f[2]].reshape(d, f[0], h, f[1], w, f[2]).mean(axis=(1, 3, 5))


ids = list(spec["tiles"].keys())
index = {t: i for i, t in enumerate(ids)}
rows = []
for p in spec["pairs"]:
    a, b = read(p["a"], p["boxA"]), read(p["b"], p["boxB"])
    # Same extent on both sides (the boxes can differ where a tile ends).
    ext = tuple(min(x, y) for x, y in zip(a.shape, b.shape))
    a, b = a[: ext[0], : ext[1], : ext[2]], b[: ext[0], : ext[1], : ext[2]]
    shift, err, _ = phase_cross_correlation(a, b, upsample_factor=spec["upsample"])
    t = np.array(shift) * np.array(f)  # b's voxel j sits on a's voxel j + t
    oa, ob = np.array(p["boxA"]["start"]), np.array(p["boxB"]["start"])
    rows.append((index[p["a"]], index[p["b"]], t + oa - ob))

n, m = len(ids), len(rows)
A = sp.lil_matrix((m + 1, n))
rhs = np.zeros((m + 1, 3))
for k, (i, j, s) in enumerate(rows):
    A[k, j], A[k, i] = 1.0, -1.0
    rhs[k] = s
A[m, 0] = 1.0
rhs[m] = spec["tiles"][ids[0]]["nominal"]
A = A.tocsr()
pos = np.stack([spla.lsqr(A, rhs[:, ax], atol=1e-10, btol=1e-10)[0] for ax in range(3)], axis=1)
json.dump({"positions": {t: pos[index[t]].tolist() for t in ids}, "seconds": time.perf_counter() - t_start}, open(sys.argv[2], "w"))

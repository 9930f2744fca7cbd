"""Peer for bench/optimize/solve-time.ts: the same weighted least squares, solved by scipy.

Reads the link system the bench wrote (int32 a, b; float64 shift (m, 3), weight), builds the
weighted graph Laplacian, fixes tile 0 at its nominal position, and solves the three axes with
a sparse direct solver (SuperLU, factorised once) and with scipy's conjugate gradient
(Jacobi-preconditioned, as ours). Prints one JSON line: seconds and the solution's checksum.
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

prefix, n = sys.argv[1], int(sys.argv[2])
a = np.fromfile(prefix + ".a", dtype=np.int32)
b = np.fromfile(prefix + ".b", dtype=np.int32)
shift = np.fromfile(prefix + ".shift", dtype=np.float64).reshape(-1, 3)
w = np.fromfile(prefix + ".w", dtype=np.float64)
x0 = np.fromfile(prefix + ".x0", dtype=np.float64).reshape(-1, 3)

t0 = time.perf_counter()
L = sp.coo_matrix((np.concatenate([w, w, -w, -w]), (np.concatenate([a, b, a, b]), np.concatenate([a, b, b, a]))), shape=(n, n)).tocsc()
g = np.zeros((n, 3))
np.add.at(g, b, w[:, None] * shift)
np.add.at(g, a, -w[:, None] * shift)
free = np.arange(1, n)
Lff = L[free][:, free].tocsc()
rhs = g[free] - L[free][:, [0]].toarray() * x0[0]
t_build = time.perf_counter() - t0

t0 = time.perf_counter()
lu = spla.splu(Lff)
x_direct = np.vstack([x0[0], lu.solve(rhs)])
t_direct = time.perf_counter() - t0

t0 = time.perf_counter()
d = Lff.diagonal()
M = sp.diags(1.0 / d)
x_cg = np.zeros((n, 3))
x_cg[0] = x0[0]
for k in range(3):
    sol, info = spla.cg(Lff, rhs[:, k], x0=x0[free, k], M=M, tol=1e-10, maxiter=20000)
    x_cg[free, k] = sol
t_cg = time.perf_counter() - t0

print(json.dumps({"build_s": t_build, "direct_s": t_direct, "cg_s": t_cg, "x_direct": x_direct.ravel().tolist() if n <= 0 else None, "direct_sum": float(np.abs(x_direct).sum()), "max_direct_vs_cg": float(np.abs(x_direct - x_cg).max())}))
np.asarray(x_direct, dtype=np.float64).tofile(prefix + ".xdirect")

"""Bench data for bench/zarr-read: one uint16 tile, stored by zarr-python 2 three times (blosc-zstd
with byte shuffle, blosc-zstd with bit shuffle, and zlib), Zarr v2, chunks 64x128x128.

    /usr/bin/python3 bench/zarr-read/make_data.py OUT_DIR [D H W]

The tile looks like fluorescence data: smooth blobs and tubes over a dim background with Poisson
noise, so it compresses as real data does (about 2-4x), not as zeros or white noise do. Arrays
already in OUT_DIR are kept (the tile is the same: fixed seed), missing ones are added.
"""
import sys

import numcodecs
import numpy as np
import zarr

out = sys.argv[1]
d, h, w = (int(v) for v in sys.argv[2:5]) if len(sys.argv) >= 5 else (128, 512, 512)
rng = np.random.default_rng(7)
z, y, x = np.meshgrid(np.arange(d), np.arange(h), np.arange(w), indexing='ij', sparse=True)
img = np.full((d, h, w), 200.0, dtype=np.float32)
for _ in range(40):
    cz, cy, cx = rng.uniform(0, d), rng.uniform(0, h), rng.uniform(0, w)
    r = rng.uniform(4, 20)
    img += 1500 * np.exp(-(((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))).astype(np.float32)
img = rng.poisson(img).astype(np.uint16)
root = zarr.open_group(out, mode='a')
chunks = (min(64, d), min(128, h), min(128, w))
Blosc = numcodecs.Blosc
arrays = {
    'blosc_zstd': Blosc(cname='zstd', clevel=5, shuffle=Blosc.SHUFFLE),
    'blosc_zstd_bitshuffle': Blosc(cname='zstd', clevel=5, shuffle=Blosc.BITSHUFFLE),
    'zlib': numcodecs.Zlib(level=5),
}
for name, compressor in arrays.items():
    if name not in root:
        root.create_dataset(name, data=img, chunks=chunks, compressor=compressor)
print(out)

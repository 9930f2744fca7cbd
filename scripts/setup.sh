#!/usr/bin/env bash
# Installs the system packages stitchgraph's tests and benchmarks use, when missing:
#   nats-server (NATS tests), python3-zarr / python3-scipy / python3-skimage / python3-sklearn /
#   python3-pandas / python3-dask / python3-networkx (reference peers and interop tests),
#   chromium (report and viewer tests). npm packages come from `npm ci`.
# Idempotent and quiet when everything is present.
set -euo pipefail

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
/usr/bin/python3 -c 'import zarr' >/dev/null 2>&1 || need+=(python3-zarr)
/usr/bin/python3 -c 'import scipy.ndimage' >/dev/null 2>&1 || need+=(python3-scipy)
/usr/bin/python3 -c 'import skimage' >/dev/null 2>&1 || need+=(python3-skimage)
/usr/bin/python3 -c 'import tifffile' >/dev/null 2>&1 || need+=(python3-tifffile)
/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1 || need+=(python3-sklearn)
/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1 || need+=(python3-pandas)
/usr/bin/python3 -c 'import dask.array' >/dev/null 2>&1 || need+=(python3-dask)
/usr/bin/python3 -c 'import networkx' >/dev/null 2>&1 || need+=(python3-networkx)
/usr/bin/python3 -c 'import aiohttp' >/dev/null 2>&1 || need+=(python3-aiohttp)
command -v chromium >/dev/null 2>&1 || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (apt)" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "setup: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The CLI runs from dist/: build when sources are newer (npm ci builds through `prepare`).
if [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -name '*.ts' -print -quit)" ]; then
  npx tsc -p tsconfig.build.json && chmod +x dist/cli/main.js
fi

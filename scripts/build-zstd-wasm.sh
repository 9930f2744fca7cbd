#!/usr/bin/env bash
# Rebuilds src/zarrio/zstd-wasm.wasm.ts (zstd's reference decoder as WebAssembly, base64) from
# zstd's own sources and csrc/blosc-zstd/. The module is committed: installs need no compiler.
# Needs clang-19 and wasm-ld (Debian: clang-19 lld-19, installed here when missing) and npm, which
# fetches the zstd sources pinned in scripts/_zstd-wasm-build.sh.
#   bash scripts/build-zstd-wasm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_zstd-wasm-build.sh
ensure_clang
fetch_zstd_sources
# The memory is imported and shared (-matomics, --shared-memory): a decode-pool worker assembles
# strips in it and the main thread copies them out of it directly (src/zarrio/decode-pool.ts).
# zstd turns its fast Huffman loop off where size_t is 32 bits (wasm32), though the loop's own
# containers are 64-bit: the patch lets it run and hands its state back in 32-bit form.
patch -s -d "$tmp/package/deps/zstd" -p1 < csrc/blosc-zstd/huf-fast-wasm32.patch
# Two more for speed on wasm32 (bench/RESULTS-zarrio.md, "wasm build A/B"): the decoder's bit container
# is 64 bits as on 64-bit targets (fewer reloads per sequence), and short-offset match copies go
# 16 bytes at a time once two periods are written (the long runs of bit-shuffled data).
patch -s -d "$tmp/package/deps/zstd" -p1 < csrc/blosc-zstd/zstd-wasm32-speed.patch
FLAGS=(--target=wasm32 -O3 -msimd128 -mbulk-memory -matomics -nostdlib -ffreestanding -DNDEBUG -DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -DZSTD_TRACE=0 -DXXH_NAMESPACE=ZSTD_)
clang-19 "${FLAGS[@]}" -Icsrc/blosc-zstd/include -I"$Z" -I"$Z/common" \
  -Wl,--no-entry -Wl,--import-memory -Wl,--shared-memory -Wl,--max-memory=4294967296 -Wl,--export-memory -Wl,-z,stack-size=65536 -Wl,--initial-memory=1048576 \
  -o "$tmp/zstd.wasm" \
  "$Z"/common/{entropy_common,error_private,fse_decompress,zstd_common,xxhash}.c \
  "$Z"/decompress/{huf_decompress,zstd_ddict,zstd_decompress,zstd_decompress_block}.c \
  csrc/blosc-zstd/zstd-decoder.c csrc/blosc-zstd/blosc-frame.c
write_wasm_module "$tmp/zstd.wasm" src/zarrio/zstd-wasm.wasm.ts zstdWasm scripts/build-zstd-wasm.sh \
  "zstd $version (BSD licence; sources from npm $ZSTD_SOURCES, csrc/blosc-zstd/{huf-fast-wasm32,zstd-wasm32-speed}.patch applied) + csrc/blosc-zstd/" "${FLAGS[*]}"

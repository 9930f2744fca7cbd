#!/usr/bin/env bash
# Rebuilds src/zarrio/blosc-zstd-encoder.wasm.ts (a Blosc-1 frame writer with byte shuffle and zstd's
# reference compressor, as WebAssembly, base64) from zstd's own sources and
# csrc/blosc-zstd/blosc-encoder.c. The module is committed: installs need no compiler. Needs clang-19
# and wasm-ld (Debian: clang-19 lld-19, installed here when missing) and npm, which fetches the zstd
# sources pinned in scripts/_zstd-wasm-build.sh (the same as the decoder's).
#   bash scripts/build-zstd-encoder-wasm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_zstd-wasm-build.sh
ensure_clang
fetch_zstd_sources
# Its own module, not the decoder's: the decoder's memory is shared with the decode pool's workers,
# the writer's is private to the thread that writes; and the decoder stays as it was measured.
FLAGS=(--target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -ffreestanding -DNDEBUG -DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -DZSTD_TRACE=0 -DXXH_NAMESPACE=ZSTD_)
clang-19 "${FLAGS[@]}" -Icsrc/blosc-zstd/include -I"$Z" -I"$Z/common" \
  -Wl,--no-entry -Wl,--export-memory -Wl,-z,stack-size=262144 \
  -o "$tmp/encoder.wasm" \
  "$Z"/common/{entropy_common,error_private,fse_decompress,zstd_common,xxhash}.c \
  "$Z"/compress/{fse_compress,hist,huf_compress,zstd_compress,zstd_compress_literals,zstd_compress_sequences,zstd_compress_superblock,zstd_double_fast,zstd_fast,zstd_lazy,zstd_ldm,zstd_opt,zstd_preSplit}.c \
  csrc/blosc-zstd/blosc-encoder.c
write_wasm_module "$tmp/encoder.wasm" src/zarrio/blosc-zstd-encoder.wasm.ts bloscZstdEncoderWasm scripts/build-zstd-encoder-wasm.sh \
  "zstd $version compressor (BSD licence; sources from npm $ZSTD_SOURCES) + csrc/blosc-zstd/blosc-encoder.c" "${FLAGS[*]}"

/*
 * Blosc-1 frames with byte shuffle and zstd streams, written whole inside WebAssembly, for the
 * chunks stitchgraph writes (src/zarrio/blosc-zstd-encoder.ts). The frame is c-blosc 1.x's
 * (README_HEADER.rst): a 16-byte header, the blocks' start offsets, then per block one stream
 * (flag DONT_SPLIT, as c-blosc writes zstd) of a 32-bit compressed size and a zstd frame, or the
 * block's shuffled bytes stored raw when zstd does not shrink them (size = block size). When the
 * whole frame would not be smaller than its input, the input is stored after the header instead
 * (flag MEMCPYED). Read by c-blosc (zarr-python, numcodecs), numcodecs.js and blosc-frame.c.
 *
 * Why here: numcodecs.js' blosc copies its input into its module byte by byte in JavaScript, which
 * cost fusion as much as the compression itself. The host copies the chunk in once and the frame
 * out once. No libc: zstd's context lives in a static workspace (ZSTD_initStaticCCtx).
 */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_initStaticCCtx, ZSTD_estimateCCtxSize_usingCParams */
#include "zstd.h"

void *memcpy(void *d, const void *s, size_t n) { __builtin_memcpy(d, s, n); return d; }
void *memmove(void *d, const void *s, size_t n) { __builtin_memmove(d, s, n); return d; }
void *memset(void *p, int v, size_t n) { __builtin_memset(p, v, n); return p; }
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++) if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}
/* Referenced by zstd's allocation helpers, never called with a static context. */
void *malloc(size_t n) { (void)n; return 0; }
void *calloc(size_t n, size_t s) { (void)n; (void)s; return 0; }
void free(void *p) { (void)p; }

#define HEADER 16
#define DOSHUFFLE 0x01
#define MEMCPYED 0x02
#define DONT_SPLIT 0x10
#define ZSTD_FORMAT 4 /* c-blosc's compressor code for zstd, in the flags' top 3 bits */
#define ZSTD_VERSION_FORMAT 1

static unsigned char workspace[4 << 20] __attribute__((aligned(16)));
static ZSTD_CCtx *cctx;

/* Readies the context for blocks of at most `blocksize` bytes at `level`; 0 when it does not fit the workspace. */
__attribute__((export_name("encoder_init"))) int encoder_init(int level, int blocksize) {
  if (ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(level, (unsigned long long)blocksize, 0)) > sizeof workspace) return 0;
  cctx = ZSTD_initStaticCCtx(workspace, sizeof workspace);
  return cctx != 0;
}

__attribute__((export_name("heap_base"))) void *heap_base(void) {
  extern unsigned char __heap_base;
  return &__heap_base;
}

static inline void wr32(uint8_t *p, int32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Byte shuffle (blosc/shuffle-generic.h): byte j of element i goes to j*n + i; a tail shorter than an element is copied. */
static void shuffle(int typesize, int32_t bsize, const uint8_t *src, uint8_t *dest) {
  const int32_t n = bsize / typesize;
  int32_t i = 0;
  if (typesize == 2) {
    for (; i + 16 <= n; i += 16) {
      v128_t a = wasm_v128_load(src + 2 * i), b = wasm_v128_load(src + 2 * i + 16);
      wasm_v128_store(dest + i, wasm_i8x16_shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30));
      wasm_v128_store(dest + n + i, wasm_i8x16_shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
    }
  }
  for (int j = 0; j < typesize; j++)
    for (int32_t k = i; k < n; k++) dest[(size_t)j * n + k] = src[(size_t)k * typesize + j];
  const int32_t done = n * typesize;
  if (done < bsize) memcpy(dest + done, src + done, (size_t)(bsize - done));
}

/*
 * Encode `nbytes` bytes at src (elements of `typesize` bytes) as a Blosc-1 frame at dest, which
 * holds at least nbytes + 16 + 8 * blocks bytes; tmp is a scratch of `blocksize` bytes. Returns the
 * frame's size, or -1 when zstd fails otherwise than by not shrinking a block.
 */
__attribute__((export_name("blosc_encode"))) int32_t blosc_encode(const uint8_t *src, int32_t nbytes, int32_t typesize, int32_t blocksize, int32_t level, uint8_t *dest, uint8_t *tmp) {
  const int shuffled = typesize > 1;
  /* As c-blosc: a buffer smaller than a block is one block of its own size (readers check blocksize ≤ nbytes). */
  if (blocksize > nbytes) blocksize = nbytes;
  const int32_t nblocks = nbytes == 0 ? 0 : (nbytes + blocksize - 1) / blocksize;
  dest[0] = 2;
  dest[1] = ZSTD_VERSION_FORMAT;
  dest[2] = (uint8_t)((shuffled ? DOSHUFFLE : 0) | DONT_SPLIT | ZSTD_FORMAT << 5);
  dest[3] = (uint8_t)typesize;
  wr32(dest + 4, nbytes);
  wr32(dest + 8, blocksize);
  int64_t off = HEADER + 4 * (int64_t)nblocks;
  for (int32_t j = 0; j < nblocks; j++) {
    const int32_t bsize = j == nblocks - 1 && nbytes % blocksize ? nbytes % blocksize : blocksize;
    const uint8_t *block = src + (size_t)j * blocksize;
    if (shuffled) {
      shuffle(typesize, bsize, block, tmp);
      block = tmp;
    }
    wr32(dest + HEADER + 4 * j, (int32_t)off);
    /* Room for the block raw: a stream zstd cannot fit there is stored raw, as c-blosc does. */
    const size_t got = ZSTD_compressCCtx(cctx, dest + off + 4, (size_t)bsize - 1, block, (size_t)bsize, level);
    if (ZSTD_isError(got) && ZSTD_getErrorCode(got) != ZSTD_error_dstSize_tooSmall) return -1;
    if (ZSTD_isError(got) || got == 0) {
      memcpy(dest + off + 4, block, (size_t)bsize);
      wr32(dest + off, bsize);
      off += 4 + bsize;
    } else {
      wr32(dest + off, (int32_t)got);
      off += 4 + (int64_t)got;
    }
  }
  if (off >= (int64_t)nbytes + HEADER) {
    dest[2] = (uint8_t)(MEMCPYED | DONT_SPLIT | ZSTD_FORMAT << 5);
    memcpy(dest + HEADER, src, (size_t)nbytes);
    off = (int64_t)nbytes + HEADER;
  }
  wr32(dest + 12, (int32_t)off);
  return (int32_t)off;
}

/*
 * Blosc-1 frames with zstd streams, decoded whole inside WebAssembly: the block loop of c-blosc's
 * `blosc_d` (blosc/blosc.c, c-blosc 1.x; the format of README_HEADER.rst), the streams by zstd's
 * reference decoder (zstd-decoder.c), and the shuffles undone with 128-bit SIMD. The TypeScript
 * frame decoder (src/zarrio/blosc-decode.ts) is the reference this is tested against; here the
 * frame is copied in once and the result out once, and nothing crosses the JavaScript boundary per
 * block or per stream.
 *
 * Byte shuffle: blosc/shuffle-generic.h (byte j of element i at j*N + i). Bit shuffle:
 * bitshuffle-generic.c `bshuf_untrans_bit_elem` (K. Masui et al., Astronomy and Computing 12
 * (2015) 181-190): bit k of byte j of element i is bit i%8 of byte i/8 of row 8j+k; undone by
 * 8x8 bit-matrix transposes, 16 columns of the 8 rows at once (bit_rows16).
 */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>
#include "zstd.h"

void *memcpy(void *d, const void *s, size_t n);

#define HEADER 16
#define DOSHUFFLE 0x01
#define MEMCPYED 0x02
#define DOBITSHUFFLE 0x04
#define DONT_SPLIT 0x10
#define MAX_SPLITS 16
#define MIN_BUFFERSIZE 128

/* Where the last error was found (block, stream), for the host's message. */
static int32_t err_block = -1, err_stream = -1;
__attribute__((export_name("blosc_error_block"))) int32_t blosc_error_block(void) { return err_block; }
__attribute__((export_name("blosc_error_stream"))) int32_t blosc_error_stream(void) { return err_stream; }

static inline int32_t rd32(const uint8_t *p) { return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24); }

static void unshuffle(int typesize, int bsize, const uint8_t *src, uint8_t *dest) {
  const int n = bsize / typesize;
  int i = 0;
  if (typesize == 2) {
    for (; i + 16 <= n; i += 16) {
      v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + n + i);
      wasm_v128_store(dest + 2 * i, wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
      wasm_v128_store(dest + 2 * i + 16, wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
    }
  } else if (typesize == 4) {
    for (; i + 16 <= n; i += 16) {
      v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + n + i);
      v128_t c = wasm_v128_load(src + 2 * n + i), d = wasm_v128_load(src + 3 * n + i);
      v128_t ab0 = wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      v128_t ab1 = wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      v128_t cd0 = wasm_i8x16_shuffle(c, d, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      v128_t cd1 = wasm_i8x16_shuffle(c, d, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      uint8_t *o = dest + 4 * i;
      wasm_v128_store(o, wasm_i16x8_shuffle(ab0, cd0, 0, 8, 1, 9, 2, 10, 3, 11));
      wasm_v128_store(o + 16, wasm_i16x8_shuffle(ab0, cd0, 4, 12, 5, 13, 6, 14, 7, 15));
      wasm_v128_store(o + 32, wasm_i16x8_shuffle(ab1, cd1, 0, 8, 1, 9, 2, 10, 3, 11));
      wasm_v128_store(o + 48, wasm_i16x8_shuffle(ab1, cd1, 4, 12, 5, 13, 6, 14, 7, 15));
    }
  }
  for (int j = 0; j < typesize; j++)
    for (int k = i; k < n; k++) dest[k * typesize + j] = src[j * n + k];
  const int done = n * typesize;
  if (done < bsize) memcpy(dest + done, src + done, (size_t)(bsize - done));
}

/* 8x8 bit-matrix transpose of a 64-bit word (Hacker's Delight 7-3, as TRANS_BIT_8X8): the tail columns. */
static inline uint64_t trans_bit_8x8_scalar(uint64_t x) {
  uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
  x = x ^ t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
  x = x ^ t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
  return x ^ t ^ (t << 28);
}

/*
 * Swap of the bits `mask` of b with the bits `mask << s` of a (a delta swap; Hacker's Delight 7-3).
 * 16-bit lane shifts stand in for byte shifts: the bits that cross a byte boundary are outside the
 * mask.
 */
#define SWAP_BITS(a, b, s, mask)                                                     \
  do {                                                                               \
    v128_t t_ = wasm_v128_and(wasm_v128_xor(wasm_u16x8_shr(a, s), b), mask);         \
    b = wasm_v128_xor(b, t_);                                                        \
    a = wasm_v128_xor(a, wasm_i16x8_shl(t_, s));                                     \
  } while (0)

/*
 * 16 bit-row bytes (columns p .. p + 15) of the 8 rows at `row` (r bytes apart), bit-transposed.
 * Byte c of row k holds bit k of elements 8c .. 8c + 7; the 8 rows as 8 vectors are transposed
 * as 8x8 bit matrices, all 16 columns at once, by three rounds of swaps between vectors (after
 * which vector e, byte c, is the byte of element 8c + e), then byte-transposed so that t[q] holds
 * columns p + 2q and p + 2q + 1: its byte e is the byte of element 8 (p + 2q) + e.
 */
static inline void bit_rows16(const uint8_t *row, int r, int p, v128_t t[8]) {
  v128_t x0 = wasm_v128_load(row + p), x1 = wasm_v128_load(row + r + p), x2 = wasm_v128_load(row + 2 * r + p), x3 = wasm_v128_load(row + 3 * r + p);
  v128_t x4 = wasm_v128_load(row + 4 * r + p), x5 = wasm_v128_load(row + 5 * r + p), x6 = wasm_v128_load(row + 6 * r + p), x7 = wasm_v128_load(row + 7 * r + p);
  const v128_t m4 = wasm_i8x16_splat(0x0F), m2 = wasm_i8x16_splat(0x33), m1 = wasm_i8x16_splat(0x55);
  SWAP_BITS(x0, x4, 4, m4);
  SWAP_BITS(x1, x5, 4, m4);
  SWAP_BITS(x2, x6, 4, m4);
  SWAP_BITS(x3, x7, 4, m4);
  SWAP_BITS(x0, x2, 2, m2);
  SWAP_BITS(x1, x3, 2, m2);
  SWAP_BITS(x4, x6, 2, m2);
  SWAP_BITS(x5, x7, 2, m2);
  SWAP_BITS(x0, x1, 1, m1);
  SWAP_BITS(x2, x3, 1, m1);
  SWAP_BITS(x4, x5, 1, m1);
  SWAP_BITS(x6, x7, 1, m1);
  /* 8 x 16 byte transpose: bytes (x0[c] .. x7[c]) become 64-bit word c. */
  v128_t a0 = wasm_i8x16_shuffle(x0, x1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t a1 = wasm_i8x16_shuffle(x0, x1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128_t a2 = wasm_i8x16_shuffle(x2, x3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t a3 = wasm_i8x16_shuffle(x2, x3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128_t a4 = wasm_i8x16_shuffle(x4, x5, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t a5 = wasm_i8x16_shuffle(x4, x5, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128_t a6 = wasm_i8x16_shuffle(x6, x7, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128_t a7 = wasm_i8x16_shuffle(x6, x7, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  /* 16-bit units (x0,x1 pairs) of columns 0-7 in a0, 8-15 in a1, ... */
  v128_t b0 = wasm_i16x8_shuffle(a0, a2, 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t b1 = wasm_i16x8_shuffle(a0, a2, 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t b2 = wasm_i16x8_shuffle(a1, a3, 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t b3 = wasm_i16x8_shuffle(a1, a3, 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t b4 = wasm_i16x8_shuffle(a4, a6, 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t b5 = wasm_i16x8_shuffle(a4, a6, 4, 12, 5, 13, 6, 14, 7, 15);
  v128_t b6 = wasm_i16x8_shuffle(a5, a7, 0, 8, 1, 9, 2, 10, 3, 11);
  v128_t b7 = wasm_i16x8_shuffle(a5, a7, 4, 12, 5, 13, 6, 14, 7, 15);
  /* 32-bit units: rows 0-3 of a column from b0..b3, rows 4-7 from b4..b7; words of columns in order. */
  t[0] = wasm_i32x4_shuffle(b0, b4, 0, 4, 1, 5);
  t[1] = wasm_i32x4_shuffle(b0, b4, 2, 6, 3, 7);
  t[2] = wasm_i32x4_shuffle(b1, b5, 0, 4, 1, 5);
  t[3] = wasm_i32x4_shuffle(b1, b5, 2, 6, 3, 7);
  t[4] = wasm_i32x4_shuffle(b2, b6, 0, 4, 1, 5);
  t[5] = wasm_i32x4_shuffle(b2, b6, 2, 6, 3, 7);
  t[6] = wasm_i32x4_shuffle(b3, b7, 0, 4, 1, 5);
  t[7] = wasm_i32x4_shuffle(b3, b7, 2, 6, 3, 7);
}

/*
 * Only when N = bsize / typesize is a multiple of 8 (else the block was stored unshuffled).
 * 16 bit-row bytes at a time (bit_rows16). For typesize 2, the two bytes of an element are
 * transposed together and interleaved with one shuffle, so each 32 output bytes are two vector
 * stores rather than 32 byte stores (the byte stores were half of a bitshuffled chunk's decode).
 */
static void bitunshuffle(int typesize, int bsize, const uint8_t *src, uint8_t *dest) {
  const int n = bsize / typesize;
  if (n % 8 != 0) {
    memcpy(dest, src, (size_t)bsize);
    return;
  }
  const int r = n / 8; /* bytes per bit-row */
  int p0 = 0; /* columns below p0 are done for every byte j */
  if (typesize == 2) {
    for (; p0 + 16 <= r; p0 += 16) {
      v128_t lo[8], hi[8];
      bit_rows16(src, r, p0, lo);
      bit_rows16(src + (size_t)8 * r, r, p0, hi);
      for (int q = 0; q < 8; q++) {
        uint8_t *d = dest + (size_t)16 * (p0 + 2 * q);
        wasm_v128_store(d, wasm_i8x16_shuffle(lo[q], hi[q], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
        wasm_v128_store(d + 16, wasm_i8x16_shuffle(lo[q], hi[q], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
      }
    }
  }
  for (int j = 0; j < typesize; j++) {
    const uint8_t *row = src + (size_t)8 * j * r;
    int p = p0;
    for (; p + 16 <= r; p += 16) {
      v128_t t[8];
      bit_rows16(row, r, p, t);
      for (int q = 0; q < 8; q++) {
        /* Words of columns p + 2q and p + 2q + 1: bytes e of each are byte j of element 8(p + 2q (+1)) + e. */
        uint8_t out[16];
        wasm_v128_store(out, t[q]);
        uint8_t *d = dest + (size_t)8 * (p + 2 * q) * typesize + j;
        for (int e = 0; e < 16; e++) d[e * typesize] = out[e];
      }
    }
    for (; p < r; p++) {
      uint64_t x = 0;
      for (int k = 0; k < 8; k++) x |= (uint64_t)row[k * r + p] << (8 * k);
      x = trans_bit_8x8_scalar(x);
      uint8_t *d = dest + (size_t)8 * p * typesize + j;
      for (int e = 0; e < 8; e++) d[e * typesize] = (uint8_t)(x >> (8 * e));
    }
  }
  const int done = n * typesize;
  if (done < bsize) memcpy(dest + done, src + done, (size_t)(bsize - done));
}

size_t zstd_decompress(void *dst, size_t capacity, const void *src, size_t size);
unsigned zstd_is_error(size_t code);

/*
 * Block j of a frame (its streams decoded, the shuffle undone) into `into` (the block's bsize
 * bytes), with tmp a scratch of blocksize bytes. 0, or a negative code as blosc_decode's.
 */
typedef struct {
  int flags, typesize;
  int32_t nbytes, blocksize, cbytes, nblocks, leftover;
} frame_t;

static int32_t decode_block(const uint8_t *src, const frame_t *f, int32_t j, uint8_t *into, uint8_t *tmp) {
  const int flags = f->flags, typesize = f->typesize;
  const int32_t cbytes = f->cbytes, blocksize = f->blocksize, nblocks = f->nblocks, leftover = f->leftover;
  const int do_shuffle = (flags & DOSHUFFLE) && typesize > 1;
  const int do_bitshuffle = !do_shuffle && (flags & DOBITSHUFFLE);
  const int leftover_block = j == nblocks - 1 && leftover > 0;
  const int32_t bsize = leftover_block ? leftover : blocksize;
  const int nsplits = !(flags & DONT_SPLIT) && typesize <= MAX_SPLITS && bsize / typesize >= MIN_BUFFERSIZE && !leftover_block ? typesize : 1;
  const int32_t neblock = bsize / nsplits;
  int32_t off = rd32(src + HEADER + 4 * j);
  const int unshuffled = do_shuffle || (do_bitshuffle && bsize >= typesize);
  uint8_t *block = unshuffled ? tmp : into;
  for (int s = 0; s < nsplits; s++) {
    err_block = j;
    err_stream = s;
    if (off < 0 || (int64_t)off + 4 > cbytes) return -3;
    const int32_t cb = rd32(src + off);
    off += 4;
    if (cb < 0 || (int64_t)off + cb > cbytes) return -3;
    uint8_t *at = block + (size_t)s * neblock;
    if (cb == neblock) memcpy(at, src + off, (size_t)cb); /* stored raw (incompressible) */
    else {
      const size_t got = zstd_decompress(at, (size_t)neblock, src + off, (size_t)cb);
      if (zstd_is_error(got) || got != (size_t)neblock) return -4;
    }
    off += cb;
  }
  if (do_shuffle) unshuffle(typesize, bsize, tmp, into);
  else if (do_bitshuffle && bsize >= typesize) bitunshuffle(typesize, bsize, tmp, into);
  return 0;
}

/*
 * The frame's header and block count: 0 when it has blocks to decode, 1 when it has none to decode
 * (empty, or memcpyed: its nbytes bytes follow the header), or -1 / -2 as blosc_decode returns.
 */
static int32_t open_frame(const uint8_t *src, int32_t srclen, frame_t *f) {
  f->flags = src[2];
  f->typesize = src[3];
  f->nbytes = rd32(src + 4);
  f->blocksize = rd32(src + 8);
  f->cbytes = rd32(src + 12);
  if (f->nbytes < 0 || f->cbytes < HEADER || f->cbytes > srclen) return -1;
  if (f->nbytes == 0) return 1;
  if (f->flags & MEMCPYED) return (int64_t)HEADER + f->nbytes > srclen ? -1 : 1;
  if (f->blocksize <= 0 || f->typesize == 0) return -1;
  f->nblocks = (f->nbytes + f->blocksize - 1) / f->blocksize;
  f->leftover = f->nbytes % f->blocksize;
  return (int64_t)HEADER + 4 * (int64_t)f->nblocks > f->cbytes ? -2 : 0;
}

/*
 * Decode the frame at src (srclen bytes) into dest (the header's nbytes; the host read it), with
 * tmp a scratch of blocksize bytes. Only the blocks that hold bytes of [from, to) are decoded (as
 * c-blosc's blosc_getitem does): a region that needs half of a chunk's planes decodes half of it;
 * the rest of dest is left as it was. Returns nbytes, or a negative code: -1 header sizes, -2 block
 * offsets, -3 stream outside the frame, -4 stream decoded to the wrong size (block and stream in
 * blosc_error_block / blosc_error_stream).
 */
__attribute__((export_name("blosc_decode"))) int32_t blosc_decode(const uint8_t *src, int32_t srclen, uint8_t *dest, uint8_t *tmp, int32_t from, int32_t to) {
  err_block = err_stream = -1;
  frame_t f;
  const int32_t state = open_frame(src, srclen, &f);
  if (state < 0) return state;
  if (state == 1) {
    memcpy(dest, src + HEADER, (size_t)f.nbytes);
    return f.nbytes;
  }
  for (int32_t j = 0; j < f.nblocks; j++) {
    const int32_t bsize = j == f.nblocks - 1 && f.leftover > 0 ? f.leftover : f.blocksize;
    if ((int64_t)j * f.blocksize >= to || (int64_t)j * f.blocksize + bsize <= from) continue;
    const int32_t e = decode_block(src, &f, j, dest + (size_t)j * f.blocksize, tmp);
    if (e) return e;
  }
  err_block = err_stream = -1;
  return f.nbytes;
}

/*
 * Where a chunk's box [lo, hi) (chunk of cy x cx elements per plane, bpe bytes each) goes in a
 * strip of sh rows of sw elements per plane: its first voxel at (dz, dy, dx).
 */
typedef struct {
  int32_t cy, cx, bpe, lz, ly, lx, hz, hy, hx;
  uint8_t *strip;
  int32_t sh, sw, dz, dy, dx;
} placement_t;

/*
 * Copy the bytes [b0, b0 + n) of a decoded chunk, held at `bytes`, to where the placement puts
 * them: each chunk row (z, y) of the box is one run, cut where the byte range starts or ends.
 * Returns whether any byte of the range lies in the box (with bytes NULL, only that is asked).
 */
static int place_range(const placement_t *p, const uint8_t *bytes, int64_t b0, int64_t n) {
  const int64_t rowb = (int64_t)p->cx * p->bpe, first = b0 / rowb, last = (b0 + n - 1) / rowb;
  int any = 0;
  for (int64_t r = first; r <= last; r++) {
    const int32_t z = (int32_t)(r / p->cy), y = (int32_t)(r % p->cy);
    if (z < p->lz || z >= p->hz || y < p->ly || y >= p->hy) continue;
    const int64_t lo = r * rowb + (int64_t)p->lx * p->bpe, hi = r * rowb + (int64_t)p->hx * p->bpe;
    const int64_t a = lo > b0 ? lo : b0, b = hi < b0 + n ? hi : b0 + n;
    if (a >= b) continue;
    any = 1;
    if (!bytes) return 1;
    uint8_t *d = p->strip + (((size_t)(p->dz + z - p->lz) * p->sh + (p->dy + y - p->ly)) * p->sw + p->dx) * p->bpe + (size_t)(a - lo);
    memcpy(d, bytes + (a - b0), (size_t)(b - a));
  }
  return any;
}

/*
 * Decode a frame straight into a strip: each block that holds bytes of the placement's box is
 * decoded into `blk` (a scratch of blocksize bytes, small enough to stay in cache) and its rows
 * copied to the strip at once, rather than decoding the whole chunk and copying it afterwards
 * (strip_place), which goes through a chunk-sized buffer that has left the cache by then.
 * Returns nbytes or blosc_decode's negative codes.
 */
__attribute__((export_name("blosc_place"))) int32_t blosc_place(const uint8_t *src, int32_t srclen, uint8_t *blk, uint8_t *tmp, int32_t cy, int32_t cx, int32_t bpe, int32_t lz, int32_t ly, int32_t lx, int32_t hz, int32_t hy, int32_t hx, uint8_t *strip, int32_t sh, int32_t sw, int32_t dz, int32_t dy, int32_t dx) {
  err_block = err_stream = -1;
  const placement_t p = { cy, cx, bpe, lz, ly, lx, hz, hy, hx, strip, sh, sw, dz, dy, dx };
  frame_t f;
  const int32_t state = open_frame(src, srclen, &f);
  if (state < 0) return state;
  if (state == 1) {
    place_range(&p, src + HEADER, 0, f.nbytes);
    return f.nbytes;
  }
  for (int32_t j = 0; j < f.nblocks; j++) {
    const int32_t bsize = j == f.nblocks - 1 && f.leftover > 0 ? f.leftover : f.blocksize;
    if (!place_range(&p, 0, (int64_t)j * f.blocksize, bsize)) continue;
    const int32_t e = decode_block(src, &f, j, blk, tmp);
    if (e) return e;
    place_range(&p, blk, (int64_t)j * f.blocksize, bsize);
  }
  err_block = err_stream = -1;
  return f.nbytes;
}

/*
 * Copy rows of a decoded chunk (cz, cy, cx elements of `bpe` bytes, C order) into a strip buffer
 * (sh rows of sw elements per plane): the chunk's box [lo, hi) goes to the strip's (dz, dy, dx).
 * Done here rather than by the host so that a strip is assembled with bulk copies inside the
 * module and leaves it in one piece.
 */
__attribute__((export_name("strip_place"))) void strip_place(const uint8_t *chunk, int32_t cy, int32_t cx, int32_t bpe, int32_t lz, int32_t ly, int32_t lx, int32_t hz, int32_t hy, int32_t hx, uint8_t *strip, int32_t sh, int32_t sw, int32_t dz, int32_t dy, int32_t dx) {
  const size_t row = (size_t)(hx - lx) * bpe;
  for (int32_t z = lz; z < hz; z++)
    for (int32_t y = ly; y < hy; y++)
      memcpy(strip + (((size_t)(dz + z - lz) * sh + (dy + y - ly)) * sw + dx) * bpe, chunk + (((size_t)z * cy + y) * cx + lx) * bpe, row);
}

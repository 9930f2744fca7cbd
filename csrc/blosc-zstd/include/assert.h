/* Freestanding stand-in for the libc header zstd includes (zstd-decoder.c defines what it declares). */
#pragma once
#define assert(x) ((void)0)

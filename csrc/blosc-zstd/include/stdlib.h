/* Freestanding stand-in for the libc header zstd includes (zstd-decoder.c defines what it declares). */
#pragma once
#include <stddef.h>
void *malloc(size_t n);
void *calloc(size_t n, size_t s);
void free(void *p);

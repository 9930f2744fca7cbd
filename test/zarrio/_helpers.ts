import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FileSystemStore from '@zarrita/storage/fs';
import type { AbsolutePath, RangeQuery, Readable } from '@zarrita/storage';

export function tempDir(prefix = 'sg-zarrio-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A file-system store that records every key read through it. */
export function countingStore(root: string): { store: Readable; gets: string[] } {
  const fs = new FileSystemStore(root);
  const gets: string[] = [];
  const store: Readable = {
    get: (key: AbsolutePath) => {
      gets.push(key);
      return fs.get(key);
    },
    getRange: (key: AbsolutePath, range: RangeQuery) => {
      gets.push(`${key}#range`);
      return fs.getRange(key, range);
    },
  };
  return { store, gets };
}

/** Deterministic test values for a dtype: varied, signed where the dtype is, fractional for floats. */
export function pattern(dtype: string, n: number): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const h = (Math.imul(i + 1, 2654435761) >>> 0) % 65536;
    out[i] = dtype === 'uint8' ? h & 255 : dtype === 'int16' ? h - 32768 : dtype.startsWith('float') ? (h - 30000) / 7 : h;
  }
  return out;
}

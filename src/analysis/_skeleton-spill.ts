/**
 * A block's kept skeleton as a small binary file of the coordinator (n, then n float64 indices,
 * n float32 radii, n int32 local labels): the graph pass reads the blocks back one at a time
 * instead of holding every block's skeleton. Scratch, rewritten on every run from the block
 * results (which stay the resumable source of truth), so it needs no resume key.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BlockSkeleton } from './_block-collector.js';

export function writeSkeletonSpill(path: string, s: BlockSkeleton): void {
  const n = s.index.length;
  const buf = new ArrayBuffer(8 + n * 16);
  new Float64Array(buf, 0, 1)[0] = n;
  new Float64Array(buf, 8, n).set(s.index);
  new Float32Array(buf, 8 + 8 * n, n).set(s.radius);
  new Int32Array(buf, 8 + 12 * n, n).set(s.label);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, new Uint8Array(buf));
}

export function readSkeletonSpill(path: string): BlockSkeleton {
  const bytes = readFileSync(path);
  // A fresh, aligned copy: Buffer views may start at any byte offset of a shared pool.
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const n = new Float64Array(buf, 0, 1)[0];
  if (buf.byteLength !== 8 + n * 16) throw new Error(`Cannot read skeleton spill ${path}: ${buf.byteLength} bytes for ${n} voxels`);
  return { index: new Float64Array(buf, 8, n), radius: new Float32Array(buf, 8 + 8 * n, n), label: new Int32Array(buf, 8 + 12 * n, n) };
}

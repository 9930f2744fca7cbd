/**
 * The first pass of run-based labelling (label-components.ts): find the runs of foreground along x
 * and join the touching runs of neighbouring rows with union-find.
 *
 * Everything called per row or per run lives in this one module on purpose: under tsx (which the
 * benchmarks use) an imported function is reached through an export getter and V8 does not inline
 * it, which cost ~30 % of the labelling time when bitChunk lived in another file.
 */
import type { Vec3 } from '../geometry/box.js';
import type { Connectivity } from './label-components.js';

/**
 * Pass 1: the runs of every row, each joined to the touching runs of earlier rows: the row before
 * in its plane and the same row in the plane before (6), plus that row's two neighbours (26).
 */
export function findAndJoinRuns(mask: Uint8Array, shape: Vec3, connectivity: Connectivity, rowFirst: Int32Array): ForegroundRuns {
  const [d, h, w] = shape;
  const bits = foregroundBits(mask);
  const runs = new ForegroundRuns(maxRunCount(bits, mask.length, w));
  // Run index per voxel of the current and the previous plane (a ring of two, 4 spare slots each).
  const stride = h * w + 4;
  const runAt = new Int32Array(2 * stride);
  const diagonal = connectivity === 26;
  for (let z = 0, r = 0; z < d; z++)
    for (let y = 0; y < h; y++, r++) {
      const a0 = (rowFirst[r] = runs.count);
      const o = r * w, pa = (z & 1) * stride + y * w, pb = ((z + 1) & 1) * stride + y * w;
      scanRowRuns(bits, o, w, runs, runAt, pa);
      if (a0 === runs.count) continue;
      const { parent } = runs;
      if (y > 0 && rowFirst[r - 1] !== a0) joinRuns(bits, o, o - w, w, runAt, pa, pa - w, parent, diagonal);
      if (z === 0) continue;
      const b = r - h; // the same row one plane back
      if (rowFirst[b] !== rowFirst[b + 1]) joinRuns(bits, o, o - h * w, w, runAt, pa, pb, parent, diagonal);
      if (!diagonal) continue;
      if (y > 0 && rowFirst[b - 1] !== rowFirst[b]) joinRuns(bits, o, o - (h + 1) * w, w, runAt, pa, pb - w, parent, true);
      if (y < h - 1 && rowFirst[b + 1] !== rowFirst[b + 2]) joinRuns(bits, o, o - (h - 1) * w, w, runAt, pa, pb + w, parent, true);
    }
  rowFirst[d * h] = runs.count;
  return runs;
}

/**
 * Runs of foreground voxels along x, stored in raster order: run k covers x in
 * [edges[2k], edges[2k + 1]) of its row; `parent` is the union-find forest over run indices (a
 * root is the smallest index of its set, so the root of a component is its first run in raster
 * order). Sized once from the number of run starts, so the scan never reallocates.
 */
export class ForegroundRuns {
  readonly edges: Int32Array;
  readonly parent: Int32Array;
  count = 0;

  constructor(capacity: number) {
    const space = scratchInts(3 * capacity);
    this.edges = space.subarray(0, 2 * capacity);
    this.parent = space.subarray(2 * capacity, 3 * capacity);
  }
}

/**
 * Scratch integers for the runs, kept from one call to the next (up to 64 MiB): a fresh array of
 * this size is page-faulted on first write and is external memory that forces V8 into full
 * collections, which together cost 15–25 % of labelling 256³ of noise (bench/analysis/
 * label-skeleton.ts). Every entry is written before it is read, so the contents need no clearing.
 */
let retainedScratch = new Int32Array(0);
const MAX_RETAINED_SCRATCH = 2 ** 24;

function scratchInts(length: number): Int32Array {
  if (retainedScratch.length >= length) return retainedScratch.subarray(0, length);
  const fresh = new Int32Array(length);
  if (length <= MAX_RETAINED_SCRATCH) retainedScratch = fresh;
  return fresh;
}

/**
 * One bit per voxel, 1 for foreground (any non-zero byte), voxel i at bit i & 31 of word i >>> 5;
 * one spare word at the end so that any 32 bits can be read as two words (`bitChunk`). Where the
 * mask's bytes allow a 32-bit view, four voxels are tested at once (the high bit of each byte lane
 * is set when the byte is non-zero) and the four lane bits gathered by one multiplication.
 */
function foregroundBits(mask: Uint8Array): Int32Array {
  const n = mask.length;
  const bits = new Int32Array((n >>> 5) + 2);
  let done = 0;
  if (mask.byteOffset % 4 === 0) {
    const words = new Int32Array(mask.buffer, mask.byteOffset, n >>> 2);
    const groups = n >>> 5;
    for (let g = 0, q = 0; g < groups; g++) {
      let b = 0;
      for (let k = 0; k < 32; k += 4, q++) {
        const v = words[q];
        const lanes = (((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v) & 0x80808080;
        b |= (Math.imul(lanes, 0x204081) >>> 28) << k;
      }
      bits[g] = b;
    }
    done = groups << 5;
  }
  for (let i = done; i < n; i++) if (mask[i] !== 0) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
}

/** The 32 bits of voxels [i, i + 32) (bit 0: voxel i). */
function bitChunk(bits: Int32Array, i: number): number {
  const j = i >>> 5, s = i & 31;
  // Rows whose width is a multiple of 32 (most volumes) start on a word: one read, not two.
  if (s === 0) return bits[j];
  return (bits[j] >>> s) | ((bits[j + 1] << (31 - s)) << 1);
}

/** An upper bound on the runs of a volume cut into rows of `w` voxels: its run starts, plus one per row. */
function maxRunCount(bits: Int32Array, n: number, w: number): number {
  let starts = 0, carry = 0;
  const words = (n + 31) >>> 5;
  for (let j = 0; j < words; j++) {
    const v = bits[j];
    let s = v & ~((v << 1) | carry);
    carry = v >>> 31;
    s -= (s >>> 1) & 0x55555555;
    s = (s & 0x33333333) + ((s >>> 2) & 0x33333333);
    starts += Math.imul((s + (s >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return starts + Math.ceil(n / Math.max(w, 1));
}

/**
 * Append the runs of the row of `w` voxels starting at voxel `o`, each its own set, and write each
 * run's index over its voxels in `runAt` from `at` (four lanes at a time for short runs: lanes past
 * a run are background, never read, or a later run's, written after; `runAt` has 4 spare slots).
 * The row is read 32 voxels at a time; the run edges are the set bits of v ^ (v << 1), found with
 * clz32 and written alternately as starts and ends, with no branch per voxel or per run.
 */
function scanRowRuns(bits: Int32Array, o: number, w: number, runs: ForegroundRuns, runAt: Int32Array, at: number): void {
  const { edges, parent } = runs;
  const first = runs.count;
  let m = 2 * first, carry = 0;
  for (let x = 0; x < w; x += 32) {
    let v = bitChunk(bits, o + x);
    if (w - x < 32) v &= (1 << (w - x)) - 1;
    let e = v ^ ((v << 1) | carry);
    carry = v >>> 31;
    while (e !== 0) {
      edges[m++] = x + 31 - Math.clz32(e & -e);
      e &= e - 1;
    }
  }
  if ((m & 1) !== 0) edges[m++] = w;
  const last = m >>> 1;
  for (let k = first; k < last; k++) {
    parent[k] = k;
    const s = at + edges[2 * k], e = at + edges[2 * k + 1];
    if (e - s <= 4) {
      runAt[s] = k;
      runAt[s + 1] = k;
      runAt[s + 2] = k;
      runAt[s + 3] = k;
    } else runAt.fill(k, s, e);
  }
  runs.count = last;
}

/**
 * Union the runs of row A (voxels from `oa`) with the runs of an earlier row B (from `ob`) that
 * touch them, both `w` voxels long; `runAt[pa + x]` / `runAt[pb + x]` is the run at x of each row.
 * Pairs are found 32 voxels at a time with bit operations, one event per pair (mostly):
 * - runs overlapping in x: the first voxel of each stretch of A & B;
 * - with `diagonal` (26-connectivity), runs that only touch at a corner: where a run of A ends just
 *   before a voxel of B, or a run of B ends just before a voxel of A.
 * Roots stay the smallest run index of their set (raster order of first voxels).
 */
function joinRuns(bits: Int32Array, oa: number, ob: number, w: number, runAt: Int32Array, pa: number, pb: number, parent: Int32Array, diagonal: boolean): void {
  let ca = 0, cb = 0, co = 0;
  for (let x = 0; x < w; x += 32) {
    let a = bitChunk(bits, oa + x), b = bitChunk(bits, ob + x);
    if (w - x < 32) {
      const keep = (1 << (w - x)) - 1;
      a &= keep;
      b &= keep;
    }
    const ov = a & b;
    let e = ov & ~((ov << 1) | co);
    co = ov >>> 31;
    while (e !== 0) {
      const p = x + 31 - Math.clz32(e & -e);
      e &= e - 1;
      union(parent, runAt[pa + p], runAt[pb + p]);
    }
    if (diagonal) {
      let ea = ((a << 1) | ca) & ~a & b;
      while (ea !== 0) {
        const p = x + 31 - Math.clz32(ea & -ea);
        ea &= ea - 1;
        union(parent, runAt[pa + p - 1], runAt[pb + p]);
      }
      let eb = ((b << 1) | cb) & ~b & a;
      while (eb !== 0) {
        const p = x + 31 - Math.clz32(eb & -eb);
        eb &= eb - 1;
        union(parent, runAt[pa + p], runAt[pb + p - 1]);
      }
    }
    ca = a >>> 31;
    cb = b >>> 31;
  }
}

function union(parent: Int32Array, u: number, v: number): void {
  const ru = rootOf(parent, u), rv = rootOf(parent, v);
  if (ru < rv) parent[rv] = ru;
  else if (rv < ru) parent[ru] = rv;
}

/** Root of `a`, splitting the path on the way (parents always point to smaller indices). */
function rootOf(parent: Int32Array, a: number): number {
  let p = parent[a];
  while (p !== a) {
    const g = parent[p];
    parent[a] = g;
    a = p;
    p = g;
  }
  return a;
}

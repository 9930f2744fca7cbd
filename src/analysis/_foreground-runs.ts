/**
 * Runs of foreground voxels along x, stored in raster order: run k covers x in
 * [start[k], end[k]) of its row; `parent` is the union-find forest over run indices (a root is
 * the smallest index of its set, so the root of a component is its first run in raster order).
 */
export class ForegroundRuns {
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  count = 0;

  constructor(capacity: number) {
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.parent = new Int32Array(capacity);
  }

  /** Make room for `extra` more runs (+1: the row scan writes one slot past its last run). */
  reserve(extra: number): void {
    const need = this.count + extra + 1;
    if (need <= this.start.length) return;
    const cap = Math.max(need, this.start.length * 2);
    const grow = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.start = grow(this.start);
    this.end = grow(this.end);
    this.parent = grow(this.parent);
  }
}

/**
 * Append the runs of the row `mask[o, o + w)`, each its own set. `words` is the mask seen as
 * 32-bit words (empty when the mask is not 4-byte aligned): background is skipped eight voxels at
 * a time there, which makes sparse masks cheap. Elsewhere the scan is branch-free (a run starts
 * where foreground follows background and ends at the reverse), so dense noise does not pay a
 * mispredicted branch per run edge.
 */
export function scanRowRuns(mask: Uint8Array, words: Uint32Array, o: number, w: number, runs: ForegroundRuns): void {
  runs.reserve((w + 1) >>> 1);
  const { start, end, parent } = runs;
  const first = runs.count;
  const nw = words.length;
  let ns = first, ne = first, prev = 0, x = 0;
  while (x < w) {
    const i = o + x;
    if ((i & 7) === 0 && x + 8 <= w && (i >>> 2) + 1 < nw && (words[i >>> 2] | words[(i >>> 2) + 1]) === 0) {
      end[ne] = x;
      ne += prev;
      prev = 0;
      x += 8;
      continue;
    }
    const f = (mask[i] + 255) >>> 8; // 1 for any non-zero byte
    start[ns] = x;
    ns += f & (prev ^ 1);
    end[ne] = x;
    ne += prev & (f ^ 1);
    prev = f;
    x++;
  }
  end[ne] = w;
  ne += prev;
  for (let k = first; k < ns; k++) parent[k] = k;
  runs.count = ns;
}

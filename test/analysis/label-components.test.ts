import { describe, expect, it } from 'vitest';
import { labelComponents, type Connectivity } from '../../src/analysis/label-components.js';
import { analyzeBlockData } from '../../src/analysis/analyze-block.js';
import { mergeBlockResults } from '../../src/analysis/merge-blocks.js';
import { volumeBlocks } from '../../src/analysis/analyze-volume.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { runPython } from './_python.js';

/** Random volume: smoothed noise thresholded, so components have all sizes and touch diagonally. */
function randomMask(shape: Vec3, seed: number, density: number): Uint8Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const n = shape[0] * shape[1] * shape[2];
  const m = new Uint8Array(n);
  for (let o = 0; o < n; o++) m[o] = rnd() < density ? 1 : 0;
  return m;
}

/** Two labellings are the same partition when the label pairs map one-to-one. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>(), ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === 0) !== (b[i] === 0)) return false;
    if (a[i] === 0) continue;
    const x = ab.get(a[i]), y = ba.get(b[i]);
    if (x === undefined) ab.set(a[i], b[i]);
    else if (x !== b[i]) return false;
    if (y === undefined) ba.set(b[i], a[i]);
    else if (y !== a[i]) return false;
  }
  return true;
}

function scipyLabel(mask: Uint8Array, shape: Vec3, connectivity: Connectivity): { labels: Int32Array; count: number } {
  const out = runPython(
    `from scipy import ndimage as ndi
m=np.fromfile(D+'/m.raw',np.uint8).reshape(${shape.join(',')})
st=ndi.generate_binary_structure(3, ${connectivity === 6 ? 1 : 3})
l,n=ndi.label(m, st)
l.astype(np.int32).tofile(D+'/l.raw')
np.array([n],np.int32).tofile(D+'/n.raw')`,
    { m: mask },
    ['l', 'n'],
  );
  return { labels: new Int32Array(out.l.buffer, out.l.byteOffset, out.l.byteLength / 4), count: new Int32Array(out.n.buffer, out.n.byteOffset, 1)[0] };
}

/**
 * Reference labelling by breadth-first flood fill from each unlabelled foreground voxel in raster
 * order, so labels are numbered like scipy.ndimage.label: slow and obviously right.
 */
function floodLabel(mask: Uint8Array, shape: Vec3, connectivity: Connectivity): { labels: Int32Array; count: number } {
  const [d, h, w] = shape;
  const labels = new Int32Array(mask.length);
  const offsets: Vec3[] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const k = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (k > 0 && (connectivity === 26 || k === 1)) offsets.push([dz, dy, dx]);
      }
  let count = 0;
  const queue: number[] = [];
  for (let o = 0; o < mask.length; o++) {
    if (mask[o] === 0 || labels[o] !== 0) continue;
    labels[o] = ++count;
    queue.push(o);
    while (queue.length > 0) {
      const q = queue.pop()!;
      const x = q % w, y = Math.floor(q / w) % h, z = Math.floor(q / (w * h));
      for (const [dz, dy, dx] of offsets) {
        const zz = z + dz, yy = y + dy, xx = x + dx;
        if (zz < 0 || zz >= d || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const r = (zz * h + yy) * w + xx;
        if (mask[r] !== 0 && labels[r] === 0) {
          labels[r] = count;
          queue.push(r);
        }
      }
    }
  }
  return { labels, count };
}

describe('labelComponents', () => {
  const cases: [Vec3, number, number][] = [
    [[23, 31, 37], 1, 0.3],
    [[40, 40, 40], 2, 0.2],
    [[16, 50, 27], 3, 0.45],
    [[1, 64, 64], 4, 0.4],
  ];
  for (const connectivity of [6, 26] as Connectivity[]) {
    for (const [shape, seed, density] of cases) {
      it(`equals scipy.ndimage.label as a partition (${connectivity}-connected, shape ${shape}, density ${density})`, () => {
        const mask = randomMask(shape, seed, density);
        const ours = labelComponents(mask, shape, connectivity);
        const ref = scipyLabel(mask, shape, connectivity);
        expect(ours.count).toBe(ref.count);
        expect(samePartition(ours.labels, ref.labels)).toBe(true);
        // Raster order of first voxels, as scipy numbers them: the labels are identical, not just the partition.
        expect(Array.from(ours.labels)).toEqual(Array.from(ref.labels));
      });
    }
  }

  it('tells 6- from 26-connectivity on a diagonal pair', () => {
    const m = new Uint8Array(8);
    m[0] = 1;
    m[7] = 1; // (0,0,0) and (1,1,1): corner neighbours
    expect(labelComponents(m, [2, 2, 2], 6).count).toBe(2);
    expect(labelComponents(m, [2, 2, 2], 26).count).toBe(1);
  });

  for (const connectivity of [6, 26] as Connectivity[]) {
    it(`block-wise labels merged across faces equal whole-volume labels (${connectivity}-connected, several block sizes)`, () => {
      const shape: Vec3 = [30, 34, 38];
      const mask = randomMask(shape, 11, connectivity === 6 ? 0.4 : 0.22);
      const whole = labelComponents(mask, shape, connectivity);
      for (const block of [[7, 9, 11], [16, 16, 16], [30, 5, 38]] as Vec3[]) {
        const boxes = volumeBlocks(shape, block);
        const results = boxes.map((core) => {
          const data = new Uint8Array(core.size[0] * core.size[1] * core.size[2]);
          for (let z = 0, o = 0; z < core.size[0]; z++)
            for (let y = 0; y < core.size[1]; y++)
              for (let x = 0; x < core.size[2]; x++, o++) data[o] = mask[((core.start[0] + z) * shape[1] + core.start[1] + y) * shape[2] + core.start[2] + x];
          return analyzeBlockData(data, core, core, shape, { threshold: 0.5, smooth_sigma: 0, open_radius: 0, close_radius: 0, fill_holes: false }, { connectivity, voxelSize: [1, 1, 1], noSkeleton: true, keepLabels: true });
        });
        const merged = mergeBlockResults(results, shape, connectivity);
        const full = new Int32Array(mask.length);
        results.forEach((r, i) => {
          const { start, size } = r.core;
          for (let z = 0, o = 0; z < size[0]; z++)
            for (let y = 0; y < size[1]; y++)
              for (let x = 0; x < size[2]; x++, o++) full[((start[0] + z) * shape[1] + start[1] + y) * shape[2] + start[2] + x] = merged.map[i][r.labels![o]];
        });
        expect(merged.count).toBe(whole.count);
        expect(Array.from(full)).toEqual(Array.from(whole.labels));
      }
    });
  }
  // Widths around the 32-voxel words the rows are read in, and rows that do not start on a word.
  const widths = [1, 2, 5, 31, 32, 33, 63, 64, 65, 97];
  for (const connectivity of [6, 26] as Connectivity[]) {
    it(`equals a flood fill on rows of every width around 32 (${connectivity}-connected)`, () => {
      widths.forEach((w, i) => {
        for (const density of [0.15, 0.5, 0.85]) {
          const shape: Vec3 = [4 + (i % 3), 3 + (i % 4), w];
          const mask = randomMask(shape, 100 + i, density);
          const ours = labelComponents(mask, shape, connectivity);
          const ref = floodLabel(mask, shape, connectivity);
          expect(ours.count, `shape ${shape} density ${density}`).toBe(ref.count);
          expect(Array.from(ours.labels), `shape ${shape} density ${density}`).toEqual(Array.from(ref.labels));
        }
      });
    });
  }

  it('reads any non-zero byte as foreground, and masks that do not start on a 4-byte boundary', () => {
    const shape: Vec3 = [5, 7, 45];
    const plain = randomMask(shape, 21, 0.4);
    const n = plain.length;
    const values = [1, 2, 127, 128, 129, 255];
    const buffer = new Uint8Array(n + 3);
    const shifted = buffer.subarray(3); // byteOffset 3: no 32-bit view
    const aligned = new Uint8Array(n);
    for (let o = 0; o < n; o++) shifted[o] = aligned[o] = plain[o] === 0 ? 0 : values[o % values.length];
    for (const connectivity of [6, 26] as Connectivity[]) {
      const ref = labelComponents(plain, shape, connectivity);
      for (const m of [aligned, shifted]) {
        const ours = labelComponents(m, shape, connectivity);
        expect(ours.count).toBe(ref.count);
        expect(Array.from(ours.labels)).toEqual(Array.from(ref.labels));
      }
    }
  });

  for (const connectivity of [6, 26] as Connectivity[]) {
    it(`labels empty, full and single-voxel volumes (${connectivity}-connected)`, () => {
      const shape: Vec3 = [3, 4, 37];
      const n = 3 * 4 * 37;
      const empty = labelComponents(new Uint8Array(n), shape, connectivity);
      expect(empty.count).toBe(0);
      expect(empty.labels.every((l) => l === 0)).toBe(true);
      const full = labelComponents(new Uint8Array(n).fill(1), shape, connectivity);
      expect(full.count).toBe(1);
      expect(full.labels.every((l) => l === 1)).toBe(true);
      for (const o of [0, 36, 37, n - 1, 77]) {
        const one = new Uint8Array(n);
        one[o] = 1;
        const r = labelComponents(one, shape, connectivity);
        expect(r.count).toBe(1);
        expect(r.labels[o]).toBe(1);
        expect(r.labels.reduce((a, b) => a + b, 0)).toBe(1);
      }
      expect(labelComponents(new Uint8Array(0), [0, 4, 5], connectivity).count).toBe(0);
      expect(labelComponents(new Uint8Array([1]), [1, 1, 1], connectivity).count).toBe(1);
    });
  }

  it('joins runs that touch the volume borders and wrap to the next row only when they are neighbours', () => {
    // Row y ends at x = w-1 and row y+1 starts at x = 0: adjacent in memory, never neighbours.
    const shape: Vec3 = [1, 2, 40];
    const m = new Uint8Array(80);
    m.fill(1, 30, 40); // row 0, x 30..39
    m.fill(1, 40, 45); // row 1, x 0..4
    for (const connectivity of [6, 26] as Connectivity[]) expect(labelComponents(m, shape, connectivity).count).toBe(2);
    // The same runs one plane apart and overlapping at the last voxel of the row: one component.
    const s2: Vec3 = [2, 1, 40];
    const m2 = new Uint8Array(80);
    m2.fill(1, 0, 40);
    m2[79] = 1;
    for (const connectivity of [6, 26] as Connectivity[]) expect(labelComponents(m2, s2, connectivity).count).toBe(1);
  });

  it('joins edge and corner neighbours only with 26-connectivity, in every direction', () => {
    const shape: Vec3 = [3, 3, 3];
    for (let dz = -1; dz <= 1; dz++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const k = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
          if (k === 0) continue;
          const m = new Uint8Array(27);
          m[13] = 1; // the centre
          m[(1 + dz) * 9 + (1 + dy) * 3 + 1 + dx] = 1;
          expect(labelComponents(m, shape, 6).count, `offset ${dz},${dy},${dx}`).toBe(k === 1 ? 1 : 2);
          expect(labelComponents(m, shape, 26).count, `offset ${dz},${dy},${dx}`).toBe(1);
        }
  });

  it('numbers components by their first voxel in raster order, even when a later row joins them', () => {
    // Row 0 has voxels at x 0, 4 and 8; row 1 at x 0 and 8; row 2 is full. The runs at x 0 and 8
    // meet only in row 2, so they are one component (label 1) and x 4 alone is label 2.
    const shape: Vec3 = [1, 3, 9];
    const m = new Uint8Array(27);
    for (const o of [0, 4, 8, 9, 17]) m[o] = 1;
    m.fill(1, 18, 27);
    for (const connectivity of [6, 26] as Connectivity[]) {
      const r = labelComponents(m, shape, connectivity);
      expect(r.count).toBe(2);
      expect([r.labels[0], r.labels[4], r.labels[8], r.labels[26]]).toEqual([1, 2, 1, 1]);
      expect(Array.from(r.labels)).toEqual(Array.from(floodLabel(m, shape, connectivity).labels));
    }
  });
});

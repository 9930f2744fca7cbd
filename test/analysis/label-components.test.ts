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
});

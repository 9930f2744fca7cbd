import { describe, it, expect } from 'vitest';
import { rowLocator, rowIdColumn } from '../../src/study/_row-region.js';
import { sliceWindow } from '../../src/study/_gallery-slice.js';
import { markObject } from '../../src/study/_mark-object.js';

describe('gallery geometry', () => {
  it('finds an object by bbox before centroid, by branch ends, and by a point', () => {
    const comp = rowLocator(['sample', 'label', 'centroid_z', 'centroid_y', 'centroid_x', 'bbox_z0', 'bbox_y0', 'bbox_x0', 'bbox_z1', 'bbox_y1', 'bbox_x1']);
    expect(comp!(['m1', 3, 9, 9, 9, 2, 4, 6, 10, 20, 30])).toEqual({ center: [6, 12, 18], lo: [2, 4, 6], hi: [10, 20, 30] });
    const branch = rowLocator(['sample', 'src_z_vox', 'src_y_vox', 'src_x_vox', 'dst_z_vox', 'dst_y_vox', 'dst_x_vox']);
    expect(branch!(['m1', 10, 0, 8, 2, 4, 0])).toEqual({ center: [6, 2, 4], lo: [2, 0, 0], hi: [10, 4, 8] });
    const node = rowLocator(['sample', 'node_id', 'z', 'y', 'x']);
    expect(node!(['m1', 0, 1, 2, 3])).toEqual({ center: [1, 2, 3], lo: [1, 2, 3], hi: [1, 2, 3] });
    expect(node!(['m1', 0, null, 2, 3])).toBeUndefined();
    expect(rowLocator(['sample', 'total_length_um'])).toBeUndefined();
    expect(rowIdColumn(['sample', 'z', 'node_id'])).toBe('node_id');
  });

  it('frames the object and keeps the window inside the volume', () => {
    const origin: [number, number, number] = [-3, 10, 20];
    const shape: [number, number, number] = [40, 100, 60];
    // A small object in the middle: the minimum half-width 24 either side.
    expect(sliceWindow({ center: [5.4, 50, 30], lo: [5, 49, 29], hi: [6, 51, 31] }, origin, shape)).toEqual({ start: [2, 36, 26], size: [1, 48, 48] });
    // Near a corner: moved inside, not cut; wider than the volume along x: the whole width.
    expect(sliceWindow({ center: [99, 2, 30], lo: [99, 0, 0], hi: [99, 4, 60] }, origin, shape)).toEqual({ start: [36, 10, 20], size: [1, 48, 60] });
  });

  it('outlines a box in red and leaves the grey values elsewhere', () => {
    const gray = new Uint8Array(10 * 8).fill(100);
    const rgb = markObject(gray, 10, 8, { lo: [2, 3], hi: [5, 7] });
    const at = (y: number, x: number) => Array.from(rgb.subarray(3 * (y * 10 + x), 3 * (y * 10 + x) + 3));
    expect(at(2, 3)).toEqual([255, 64, 32]);
    expect(at(5, 7)).toEqual([255, 64, 32]);
    expect(at(3, 4)).toEqual([100, 100, 100]);
    expect(at(0, 0)).toEqual([100, 100, 100]);
  });
});

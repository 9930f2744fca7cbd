import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { buildPyramids } from '../../src/pyramid/build-pyramids.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { pyramidCampaign, referenceLevel } from './_pyramid-helpers.js';

describe('buildPyramids', () => {
  it('builds levels equal to the block mean of level 0, readable through openTilePyramid', async () => {
    const campaign = await pyramidCampaign({ voxelSize: [1, 0.5, 0.5] });
    const before = await openTilePyramid(campaign, 't_0_0_0');
    expect(before.levels.length).toBe(1);
    const res = await buildPyramids(campaign, new InlineExecutor());
    expect(res.skipped).toBe(0);
    expect(res.computed).toBeGreaterThan(res.tiles[0].levels);
    const pyramid = await openTilePyramid(campaign, 't_0_0_0');
    // Voxel size [1, 0.5, 0.5]: y and x halve first, then all axes.
    expect(pyramid.levels.map((l) => l.factors)).toEqual([[1, 1, 1], [1, 2, 2], [2, 4, 4], [4, 8, 8], [8, 16, 16]]);
    expect(pyramid.levels.map((l) => l.shape)).toEqual([[20, 45, 38], [20, 23, 19], [10, 12, 10], [5, 6, 5], [3, 3, 3]]);
    const l0 = pyramid.levels[0];
    const tile = await l0.array.readRegion({ start: [0, 0, 0], size: l0.shape });
    for (const level of pyramid.levels.slice(1)) {
      const ref = referenceLevel(tile.data, l0.shape, level.factors);
      const got = await level.array.readRegion({ start: [0, 0, 0], size: level.shape });
      expect(got.shape).toEqual(ref.shape);
      expect(level.array.dtype).toBe('uint16');
      let worst = 0;
      for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - ref.data[i]));
      // Integer levels are rounded at every level: at most half a grey level per level built.
      expect(worst).toBeLessThanOrEqual(0.5 * level.index);
    }
    const attrs = JSON.parse(await readFile(join(res.store, 't_0_0_0', '.zattrs'), 'utf8')) as { multiscales: { datasets: { path: string; coordinateTransformations: { scale?: number[] }[] }[] }[] };
    expect(attrs.multiscales[0].datasets.map((d) => d.path)).toEqual(['1', '2', '3', '4']);
    expect(attrs.multiscales[0].datasets[0].coordinateTransformations[0].scale).toEqual([1, 1, 1]);

    // Every job was planned within pyramid.memory_mb (0.1 MiB here), with several blocks per level.
    expect(res.peakJobBytes).toBeGreaterThan(0);
    expect(res.peakJobBytes).toBeLessThanOrEqual(0.1 * 2 ** 20);

    // zarr-python 2 reads the derived store as OME-Zarr, equal to what openTilePyramid reads.
    const py = `import sys, json, zarr, numpy as np
g = zarr.open_group(sys.argv[1], mode='r')
ms = g.attrs['multiscales'][0]
print(json.dumps({'paths': [d['path'] for d in ms['datasets']], 'shape': list(g['2'].shape), 'dtype': str(g['2'].dtype), 'sum': int(np.asarray(g['2'][:], dtype=np.int64).sum())}))`;
    const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, join(res.store, 't_0_0_0')], { encoding: 'utf8' })) as { paths: string[]; shape: number[]; dtype: string; sum: number };
    const l2 = await pyramid.levels[2].array.readRegion({ start: [0, 0, 0], size: pyramid.levels[2].shape });
    expect(r).toEqual({ paths: ['1', '2', '3', '4'], shape: [10, 12, 10], dtype: 'uint16', sum: Array.from(l2.data).reduce((a, v) => a + v, 0) });

    // A rerun finds everything complete and computes nothing.
    const again = await buildPyramids(campaign, new InlineExecutor());
    expect(again.computed).toBe(0);
    expect(again.tiles.every((t) => t.status === 'complete')).toBe(true);
  });
});

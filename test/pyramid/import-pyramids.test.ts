import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const WRITE_TIFFS = `
import sys, numpy as np, tifffile
rng = np.random.default_rng(1)
for i in range(2):
    tifffile.imwrite(f'{sys.argv[1]}/t{i}.tif', rng.integers(0, 60000, size=(8, 80, 72), dtype=np.uint16))
`;

describe('import builds the tile pyramids', () => {
  it('writes pyramids into the workdir (never the new store), unless --no-pyramid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-import-pyr-'));
    execFileSync('/usr/bin/python3', ['-c', WRITE_TIFFS, dir]);
    const files = [join(dir, 't0.tif'), join(dir, 't1.tif')];
    const r = await runCli(['import', join(dir, 'a', 'a.yaml'), '--grid', '1,1,2', '--overlap', '0.1', '--chunks', '8,32,32', '--workers', '1', ...files]);
    expect(r.code, r.stderr).toBe(0);
    const attrs = JSON.parse(readFileSync(join(dir, 'a', 'a-work', 'pyramids.zarr', 't_0_0_0', '.zattrs'), 'utf8')) as { multiscales: { datasets: { path: string }[] }[] };
    // 8×80×72 at voxel size 1: [2,2,2] then [4,4,4] (80/4 = 20 ≤ 32).
    expect(attrs.multiscales[0].datasets.map((d) => d.path)).toEqual(['1', '2']);
    expect(existsSync(join(dir, 'a', 'a.zarr', 'pyramids.zarr'))).toBe(false);

    const n = await runCli(['import', join(dir, 'b', 'b.yaml'), '--grid', '1,1,2', '--no-pyramid', ...files]);
    expect(n.code, n.stderr).toBe(0);
    expect(existsSync(join(dir, 'b', 'b-work', 'pyramids.zarr'))).toBe(false);
  });
});

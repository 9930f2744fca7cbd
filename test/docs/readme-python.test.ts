import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCampaign } from '../stitch/helpers.js';
import { fuseCampaign } from '../../src/stitch/fuse-campaign.js';
import { serveVolume } from '../../src/stitch/serve-volume.js';
import { repoRoot } from '../helpers/run-cli.js';

const run = promisify(execFile);

/** The README's Python block (after its "tested" marker), as a user would paste it. */
function readmePython(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = /<!-- tested: test\/docs\/readme-python\.test\.ts runs this block -->\n```python\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no tested Python block');
  return m[1];
}

describe('README "From Python"', () => {
  it('reads the fused volume and the served one with zarr and dask, as written', async () => {
    const { campaign, volume } = await makeCampaign({ seed: 41, tileShape: [16, 40, 40] });
    await fuseCampaign(campaign, { workers: 1 });
    const server = await serveVolume(volume, { port: 0 });
    try {
      const script = readmePython()
        .replace('out/demo/work/fused.ome.zarr', join(campaign.workdir, 'fused.ome.zarr'))
        .replace('http://127.0.0.1:8080/zarr', `${server.url}/zarr`);
      const { stdout } = await run('/usr/bin/python3', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
      const [first, second] = stdout.trim().split('\n');
      const ext = volume.levelExtent(0);
      expect(first).toContain(`(${ext.shape.join(', ')})`);
      expect(second).toContain(`(${ext.shape[1]}, ${ext.shape[2]})`);
    } finally {
      await server.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--log-level', 'warn'], { encoding: 'utf8' });

describe('stitchgraph analyze', () => {
  it('analyses a single-tile campaign into workdir/network and an array given with --array', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-analyze-cli-'));
    try {
      const res = await synthCampaign({ outDir: dir, grid: [1, 1, 1], tileShape: [64, 64, 64], seed: 2, stageError: 0, voxelSize: [2, 1, 1] });
      const r = cli(['analyze', res.configPath]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = join(dir, 'out', 'network');
      expect(r.stdout.trim()).toBe(out);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary.parameters.voxel_size).toEqual([2, 1, 1]);
      expect(summary.n_components).toBe(res.truth.network.n_components);

      const r2 = cli(['analyze', '--array', `${res.storePath}#tiles/t_0_0_0`, '--out', join(dir, 'n2'), '--threshold', 'p97', '--min-size', '10']);
      expect(r2.status).toBe(0);
      const s2 = JSON.parse(readFileSync(join(dir, 'n2', 'summary.json'), 'utf8'));
      expect(s2.parameters.threshold).toBe('p97');
      expect(s2.parameters.voxel_size).toEqual([1, 1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('analyses the stitched view of a multi-tile campaign that has no fused volume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-analyze-cli-'));
    try {
      const res = await synthCampaign({ outDir: dir, grid: [1, 1, 2], tileShape: [32, 32, 32], seed: 2 });
      const r = cli(['analyze', res.configPath]);
      expect(r.status).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, 'out', 'network', 'summary.json'), 'utf8')) as { n_branches: number };
      expect(summary.n_branches).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

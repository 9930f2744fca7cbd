import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { runCli } from '../helpers/run-cli.js';

/** Bad campaigns through the CLI: a one-line reason naming the file and key, a non-zero exit, nothing written. */
describe('bad campaign input on the command line', () => {
  it.each([
    ['an unknown key', 'registration:\n  peeks: 4\n', /registration\.peeks: unknown key "peeks"/],
    ['a wrong type', 'voxel_size: [1, one, 1]\n', /voxel_size\[1\]/],
    ['a duplicate tile id', 'DUP', /duplicate tile id "t_0_0_0"/],
    ['a missing array', 'MISSING', /tiles\/nope.*tiles\[2\]\.array/],
  ])('%s', async (_what, change, pattern) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-bad-'));
    const syn = await synthCampaign({ outDir: dir, grid: [1, 1, 2], tileShape: [4, 24, 24], seed: 1 });
    let yaml = `store: ./synth.zarr\nworkdir: ./work\ntiles:\n  - { id: t_0_0_0, array: tiles/t_0_0_0, position: [0, 0, 0] }\n  - { id: t_0_0_1, array: tiles/t_0_0_1, position: [0, 0, 20] }\n`;
    if (change === 'DUP') yaml += '  - { id: t_0_0_0, array: tiles/t_0_0_1, position: [0, 0, 40] }\n';
    else if (change === 'MISSING') yaml += '  - { id: t_0_0_2, array: tiles/nope, position: [0, 0, 40] }\n';
    else yaml += change;
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, yaml);
    for (const cmd of ['register', 'run', 'fuse']) {
      const r = await runCli([cmd, file, '--log-level', 'error']);
      expect(r.code, cmd).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines, cmd).toHaveLength(1);
      expect(lines[0], cmd).toMatch(/^stitchgraph: Cannot /);
      expect(lines[0], cmd).toMatch(pattern);
      expect(lines[0], cmd).toContain('bad.yaml');
    }
    expect(existsSync(join(dir, 'work'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['bad.yaml', 'synth.yaml', 'synth.zarr', 'truth.json']);
    void syn;
  }, 60_000);
});

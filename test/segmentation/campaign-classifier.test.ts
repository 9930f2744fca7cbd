import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { zarrBlockSource } from '../../src/analysis/block-source.js';
import { writeTiffStack } from '../../src/imageio/write-tiff.js';
import { seededRandom } from '../../src/segmentation/_grow-tree.js';
import { readMask } from './_volumes.js';

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--log-level', 'warn'], { encoding: 'utf8' });

describe('campaign analyze with analysis.segmentation', () => {
  it('trains from the labels named in the YAML (relative to it) and writes the mask and the model under workdir/network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-seg-campaign-'));
    try {
      const res = await synthCampaign({ outDir: dir, grid: [1, 1, 1], tileShape: [40, 48, 48], seed: 4, stageError: 0 });
      const campaign = await openCampaign(res.configPath);
      const tile = await zarrBlockSource(campaign.storePath, campaign.tiles[0].array);
      const shape = tile.shape;
      const image = await tile.read({ start: [0, 0, 0], size: shape });
      // Sparse labels from a high and a low quantile of the tile itself (a wiring test, not a Dice test).
      const sorted = Float32Array.from(image).sort();
      const hi = sorted[Math.floor(sorted.length * 0.97)], lo = sorted[Math.floor(sorted.length * 0.6)];
      const rand = seededRandom(1);
      const labels = new Uint8Array(image.length);
      for (let i = 0; i < labels.length; i++) if (rand() < 0.01) labels[i] = image[i] >= hi ? 2 : image[i] <= lo ? 1 : 0;
      await writeTiffStack(join(dir, 'labels.tif'), labels, shape, 'uint8');
      const yaml = parse(readFileSync(res.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
      yaml.analysis = { ...(yaml.analysis ?? {}), min_size: 10, segmentation: { method: 'classifier', labels: 'labels.tif', trees: 8 } };
      writeFileSync(res.configPath, stringify(yaml));

      const r = cli(['analyze', res.configPath]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const net = join(dir, 'out', 'network');
      expect(existsSync(join(net, 'classifier.json'))).toBe(true);
      const mask = await readMask(join(net, 'segmentation.ome.zarr'), shape);
      expect(mask.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
      const summary = JSON.parse(readFileSync(join(net, 'summary.json'), 'utf8')) as { parameters: { segmentation: { method: string; model: string } } };
      expect(summary.parameters.segmentation.method).toBe('classifier');
      expect(summary.parameters.segmentation.model).toBe('classifier.json'); // relative to the network folder
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

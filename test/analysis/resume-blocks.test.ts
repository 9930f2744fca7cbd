import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import { localBlockSource } from '../../src/analysis/block-source.js';
import type { Vec3 } from '../../src/geometry/box.js';

describe('block results kept on disk', () => {
  it('a rerun reuses matching block results, recomputes missing or changed ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-resume-'));
    try {
      const shape: Vec3 = [48, 64, 64];
      const renderer = new PhantomRenderer(generateVesselNetwork({ shape, seed: 6 }), { seed: 6 });
      let reads = 0;
      const src = localBlockSource(shape, async (box) => {
        reads++;
        return renderer.render(box.start, box.size);
      }, 'phantom-6');
      const settings = { threshold: 0.6, min_size: 10, block: 32 };
      const first = await analyzeVolume(src, shape, settings, [1, 1, 1], undefined, { blockDir: dir });
      expect(reads).toBe(8);
      expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(8);
      reads = 0;
      const again = await analyzeVolume(src, shape, settings, [1, 1, 1], undefined, { blockDir: dir });
      expect(reads).toBe(0);
      expect(again.summary).toEqual(first.summary);
      rmSync(join(dir, 'analyze-analyze-3.json'));
      reads = 0;
      const partial = await analyzeVolume(src, shape, settings, [1, 1, 1], undefined, { blockDir: dir });
      expect(reads).toBe(1);
      expect(partial.summary).toEqual(first.summary);
      reads = 0;
      await analyzeVolume(src, shape, { ...settings, threshold: 0.7 }, [1, 1, 1], undefined, { blockDir: dir });
      expect(reads).toBe(8);
      // Without an id a local source is never taken for another: nothing is reused.
      reads = 0;
      const anon = localBlockSource(shape, async (box) => {
        reads++;
        return renderer.render(box.start, box.size);
      });
      await analyzeVolume(anon, shape, settings, [1, 1, 1], undefined, { blockDir: dir });
      expect(reads).toBe(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign, type SynthOptions } from '../../src/synth/synth-campaign.js';
import { openCampaign, type Campaign } from '../../src/campaign/open-campaign.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** A small synthetic campaign (uint16 tiles) with pyramid settings that give several levels and several blocks per level. */
export async function pyramidCampaign(opts: Partial<SynthOptions> = {}, pyramid: Record<string, unknown> = {}): Promise<Campaign> {
  const outDir = mkdtempSync(join(tmpdir(), 'sg-pyramid-'));
  const synth = await synthCampaign({
    grid: [1, 1, 2],
    tileShape: [20, 45, 38],
    seed: 3,
    outDir,
    ...opts,
    extraConfig: { pyramid: { min_size: 4, chunk: [4, 8, 8], memory_mb: 0.1, ...pyramid }, distributed: { mode: 'local', workers: 1 }, ...opts.extraConfig },
  });
  return openCampaign(synth.configPath);
}

/**
 * Reference: the mean of the level-0 voxels [j·f, (j+1)·f) per axis, clipped at the tile edge,
 * computed directly from the whole tile (float64).
 */
export function referenceLevel(tile: ArrayLike<number>, shape: Vec3, f: Vec3): { data: Float64Array; shape: Vec3 } {
  const out = shape.map((s, a) => Math.ceil(s / f[a])) as Vec3;
  const data = new Float64Array(out[0] * out[1] * out[2]);
  for (let z = 0; z < out[0]; z++)
    for (let y = 0; y < out[1]; y++)
      for (let x = 0; x < out[2]; x++) {
        let sum = 0, n = 0;
        for (let zz = z * f[0]; zz < Math.min((z + 1) * f[0], shape[0]); zz++)
          for (let yy = y * f[1]; yy < Math.min((y + 1) * f[1], shape[1]); yy++)
            for (let xx = x * f[2]; xx < Math.min((x + 1) * f[2], shape[2]); xx++) {
              sum += tile[(zz * shape[1] + yy) * shape[2] + xx];
              n++;
            }
        data[(z * out[1] + y) * out[2] + x] = sum / n;
      }
  return { data, shape: out };
}

import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { synthCampaign, type SynthOptions } from '../synth/synth-campaign.js';
import { getLogger } from '../log.js';

/** The package root (works from src/ under tsx and from dist/ once built). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The embedded default campaign that `stitchgraph run` (no argument) runs. */
export const DEMO_CONFIG = join(packageRoot, 'configs', 'demo.yaml');

/**
 * The recipe behind configs/demo.yaml: its tile list is exactly what synth writes for these
 * settings (a test pins that), and its store is synthesised on first use.
 */
export const DEMO_RECIPE: Omit<SynthOptions, 'outDir'> = {
  name: 'demo',
  grid: [2, 2, 2],
  tileShape: [112, 128, 128],
  overlap: 0.15,
  stageError: 6,
  noise: 0.03,
  seed: 1,
  voxelSize: [1, 1, 1],
};

/** Folder the demo store lives in (relative to configs/demo.yaml: ../out/demo). */
export function demoDataDir(): string {
  return join(packageRoot, 'out', 'demo');
}

/** Make sure the demo store exists (synthesise it once), and return the demo YAML path. */
export async function ensureDemoCampaign(): Promise<string> {
  const dir = demoDataDir();
  if (!existsSync(join(dir, 'demo.zarr', 'zarr.json')) || !existsSync(join(dir, 'truth.json'))) {
    getLogger().info({ dir }, 'synthesising the demo campaign (first run)');
    await synthCampaign({ ...DEMO_RECIPE, outDir: dir });
  }
  return DEMO_CONFIG;
}

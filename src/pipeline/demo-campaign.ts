import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { synthCampaign, type SynthOptions } from '../synth/synth-campaign.js';
import { campaignYaml } from '../campaign/campaign-yaml.js';
import { writeFileAtomic } from '../files/write-atomic.js';
import { getLogger } from '../log.js';

/** The package root (works from src/ under tsx and from dist/ once built). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The embedded demo campaign: its settings and tile list (read-only, inside the package). */
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

/** Folder the demo lives in: `./out/demo` under the current directory (never the package folder, which may be read-only). */
export function demoDataDir(cwd: string = process.cwd()): string {
  return join(resolve(cwd), 'out', 'demo');
}

/**
 * Make sure the demo exists under `cwd` (synthesise its store once) and return its campaign file,
 * `./out/demo/demo.yaml`: configs/demo.yaml with the store and workdir beside it.
 */
export async function ensureDemoCampaign(cwd: string = process.cwd()): Promise<string> {
  const dir = demoDataDir(cwd);
  if (!existsSync(join(dir, 'demo.zarr', 'zarr.json')) || !existsSync(join(dir, 'truth.json'))) {
    getLogger().info({ dir }, 'synthesising the demo campaign (first run)');
    await synthCampaign({ ...DEMO_RECIPE, outDir: dir });
  }
  const config = parse(await readFile(DEMO_CONFIG, 'utf8')) as Record<string, unknown>;
  const text = `# The stitchgraph demo (configs/demo.yaml of the package), its store and results in this folder.\n${campaignYaml({ ...config, store: './demo.zarr', workdir: './work' })}`;
  const file = join(dir, 'demo.yaml');
  // Rewritten only when it differs, so a rerun finds every stage up to date.
  const old = existsSync(file) ? await readFile(file, 'utf8') : undefined;
  if (old !== text) await writeFileAtomic(file, text);
  return file;
}

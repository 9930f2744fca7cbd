import { mkdir, rm } from 'node:fs/promises';
import { join, relative, dirname } from 'node:path';
import { campaignYaml } from '../campaign/campaign-yaml.js';
import type { Vec3 } from '../geometry/box.js';
import { Random } from './random.js';
import { generateVesselNetwork, networkTruth, type NetworkTruth, type VesselNetwork } from './vessel-network.js';
import { PhantomRenderer } from './render-phantom.js';
import { createArray, createGroup, writeRegion } from '../zarrio/write-array.js';
import { writeFileAtomic, writeJsonAtomic } from '../files/write-atomic.js';
import { StitchgraphError } from '../errors.js';

export interface SynthOptions {
  /** Folder that receives `<name>.zarr`, `<name>.yaml` and `truth.json`. */
  outDir: string;
  /** @default 'synth' */
  name?: string;
  /** Tiles along (z, y, x). @default [2, 2, 2] */
  grid?: Vec3;
  /** Tile shape (z, y, x); z = 1 gives a 2-D campaign. @default [128, 128, 128] */
  tileShape?: Vec3;
  /** Overlap between neighbours as a fraction of the tile. @default 0.15 */
  overlap?: number;
  /** Largest stage error per axis (voxels): nominal = true ± this. @default 6 */
  stageError?: number;
  /** Gaussian noise sigma relative to the vessel contrast. @default 0.03 */
  noise?: number;
  /** Per-tile intensity gain drawn from this range. @default [0.8, 1.2] */
  gainRange?: [number, number];
  /** @default 1 */
  seed?: number;
  /** `cylinder`: zero outside the circle inscribed in (y, x), as a reconstructed tomogram. @default 'full' */
  fieldOfView?: 'full' | 'cylinder';
  /** Tiles (ids) whose content is replaced by a constant, for tests of blank overlaps. */
  blankTiles?: string[];
  /** @default [1, 1, 1] */
  voxelSize?: Vec3;
  /** Centreline length per voxel of volume. @default 1/1000 */
  lengthDensity?: number;
  /** True positions on whole voxels (default: sub-voxel). */
  integerPositions?: boolean;
  /** Extra YAML sections merged into the written campaign. */
  extraConfig?: Record<string, unknown>;
  /** Called after each tile is written. */
  onTile?: (done: number, total: number) => void;
}

export interface SynthTruth {
  campaign: string;
  /** Extent of the phantom: the global frame in which true positions are given. */
  volume_shape: Vec3;
  voxel_size: Vec3;
  tiles: Record<string, { position: Vec3; nominal: Vec3; gain: number; offset: number; blank?: boolean }>;
  network: NetworkTruth & { nodes: { id: number; z: number; y: number; x: number; degree: number }[]; segments: { a: number; b: number; radius: number; length: number }[] };
  seed: number;
  appearance: { background: number; texture: number; seed: number; scale: number; offset: number; noise: number };
}

export interface SynthResult {
  configPath: string;
  storePath: string;
  truthPath: string;
  truth: SynthTruth;
  network: VesselNetwork;
  renderer: PhantomRenderer;
}

const SCALE = 2000;
const OFFSET = 400;

/**
 * A synthetic campaign with known truth: a vessel phantom cut into a grid of overlapping tiles at
 * sub-voxel true positions, stage positions off by a random error, per-tile gain and noise.
 * Tiles are rendered one at a time from the analytic phantom, so memory does not grow with the
 * campaign.
 */
export async function synthCampaign(opts: SynthOptions): Promise<SynthResult> {
  const name = opts.name ?? 'synth';
  const grid = opts.grid ?? [2, 2, 2];
  const tile = opts.tileShape ?? [128, 128, 128];
  const overlap = opts.overlap ?? 0.15;
  const stageError = opts.stageError ?? 6;
  const noise = opts.noise ?? 0.03;
  const [g0, g1] = opts.gainRange ?? [0.8, 1.2];
  const seed = opts.seed ?? 1;
  const voxelSize = opts.voxelSize ?? [1, 1, 1];
  const fov = opts.fieldOfView ?? 'full';
  if (tile.some((s) => !Number.isInteger(s) || s < 1)) throw new StitchgraphError('InputError', `Cannot synthesise: tile shape [${tile}] must be positive integers`);
  if (tile[0] === 1 && grid[0] !== 1) throw new StitchgraphError('InputError', 'Cannot synthesise: a 2-D campaign (tile z = 1) needs grid z = 1');
  const rng = new Random(seed * 7919 + 17);
  const step: Vec3 = [0, 1, 2].map((a) => Math.round(tile[a] * (1 - overlap))) as Vec3;
  const err: Vec3 = [0, 1, 2].map((a) => (tile[a] === 1 || grid[a] === 1 ? 0 : stageError)) as Vec3;
  const shape: Vec3 = [0, 1, 2].map((a) => (grid[a] - 1) * step[a] + tile[a] + 2 * Math.ceil(err[a]) + 1) as Vec3;
  if (tile[0] === 1) shape[0] = 1;

  const network = generateVesselNetwork({ shape, seed, lengthDensity: opts.lengthDensity });
  const appearance = { seed: seed + 101, background: 0.25, texture: 0.2 };
  const renderer = new PhantomRenderer(network, appearance);

  const storePath = join(opts.outDir, `${name}.zarr`);
  await mkdir(opts.outDir, { recursive: true });
  await rm(storePath, { recursive: true, force: true });
  await createGroup(storePath, '/', { stitchgraph: { synthetic: true, seed } });
  await createGroup(storePath, 'tiles');

  const truthTiles: SynthTruth['tiles'] = {};
  const yamlTiles: { id: string; array: string; position: Vec3 }[] = [];
  const total = grid[0] * grid[1] * grid[2];
  let done = 0;
  for (let z = 0; z < grid[0]; z++)
    for (let y = 0; y < grid[1]; y++)
      for (let x = 0; x < grid[2]; x++) {
        const id = `t_${z}_${y}_${x}`;
        const idx: Vec3 = [z, y, x];
        const base: Vec3 = [0, 1, 2].map((a) => idx[a] * step[a] + Math.ceil(err[a])) as Vec3;
        let pos: Vec3 = [0, 1, 2].map((a) => base[a] + (err[a] > 0 ? rng.uniform(-err[a], err[a]) : 0)) as Vec3;
        if (opts.integerPositions) pos = pos.map(Math.round) as Vec3;
        const nominal = base;
        const gain = rng.uniform(g0, g1);
        const blank = opts.blankTiles?.includes(id) ?? false;
        const img = renderer.render(pos, tile);
        const out = new Uint16Array(img.length);
        const [d, h, w] = tile;
        const cy = (h - 1) / 2, cx = (w - 1) / 2, r2 = (Math.min(h, w) / 2) ** 2;
        for (let k = 0, o = 0; k < d; k++)
          for (let j = 0; j < h; j++)
            for (let i = 0; i < w; i++, o++) {
              if (fov === 'cylinder' && (j - cy) ** 2 + (i - cx) ** 2 > r2) continue;
              const v = blank ? OFFSET * gain : gain * (OFFSET + SCALE * img[o]) + SCALE * noise * rng.normal();
              out[o] = Math.max(1, Math.min(65535, Math.round(v)));
            }
        const chunks: Vec3 = [Math.min(d, 32), Math.min(h, 64), Math.min(w, 64)];
        const arr = await createArray(storePath, `tiles/${id}`, { shape: tile, chunks, dtype: 'uint16', compressor: 'blosc-zstd', dimensionNames: ['z', 'y', 'x'] });
        await writeRegion(arr, [0, 0, 0], tile, out);
        truthTiles[id] = { position: pos, nominal, gain, offset: OFFSET * gain, ...(blank ? { blank: true } : {}) };
        yamlTiles.push({ id, array: `tiles/${id}`, position: nominal });
        opts.onTile?.(++done, total);
      }

  const nt = networkTruth(network, voxelSize);
  const degree = new Array<number>(network.nodes.length).fill(0);
  for (const s of network.segments) {
    degree[s.a]++;
    degree[s.b]++;
  }
  const truth: SynthTruth = {
    campaign: name,
    volume_shape: shape,
    voxel_size: voxelSize,
    tiles: truthTiles,
    network: {
      ...nt,
      nodes: network.nodes.map((n) => ({ id: n.id, z: n.pos[0], y: n.pos[1], x: n.pos[2], degree: degree[n.id] })),
      segments: network.segments.map((s) => {
        const p = network.nodes[s.a].pos, q = network.nodes[s.b].pos;
        return { a: s.a, b: s.b, radius: s.radius, length: Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]) };
      }),
    },
    seed,
    appearance: { ...appearance, scale: SCALE, offset: OFFSET, noise },
  };
  const configPath = join(opts.outDir, `${name}.yaml`);
  const truthPath = join(opts.outDir, 'truth.json');
  const rel = (p: string) => relative(dirname(configPath), p) || '.';
  const config: Record<string, unknown> = {
    campaign: name,
    store: `./${rel(storePath)}`,
    workdir: `./${rel(join(opts.outDir, 'out'))}`,
    voxel_size: voxelSize,
    ...(fov === 'cylinder' ? { field_of_view: 'cylinder', fill_value: 0 } : {}),
    tiles: yamlTiles,
    ...(opts.extraConfig ?? {}),
  };
  await writeJsonAtomic(truthPath, truth);
  await writeFileAtomic(configPath, `# Synthetic campaign made by \`stitchgraph synth\` (seed ${seed}); truth in truth.json\n` + campaignYaml(config));
  return { configPath, storePath, truthPath, truth, network, renderer };
}

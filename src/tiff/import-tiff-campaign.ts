import { mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { campaignYaml } from '../campaign/campaign-yaml.js';
import { StitchgraphError } from '../errors.js';
import { writeFileAtomic } from '../files/write-atomic.js';
import { createArray, createGroup, writeRegion, type Compressor } from '../zarrio/write-array.js';
import { allocTyped } from '../zarrio/dtypes.js';
import { openTileSource, type TileSource } from './_tile-source.js';
import type { Vec3 } from '../geometry/box.js';

export interface ImportTile {
  /** Tile id in the campaign (letters, digits and _ . : -). */
  id: string;
  /** A multi-page TIFF (pages are z), a 2-D TIFF (one plane), or a folder of 2-D TIFF slices. */
  file: string;
  /** Nominal (stage) position of the tile's voxel (0,0,0), voxels (z, y, x). */
  position: Vec3;
}

export interface ImportTiffCampaignOptions {
  tiles: ImportTile[];
  /** Folder receiving `<name>.yaml` and `<name>.zarr`. */
  outDir: string;
  /** @default 'imported' */
  name?: string;
  /**
   * Chunk shape (z, y, x), clipped to each tile. One z-slab of chunk depth is held in memory
   * while writing (depth × height × width voxels).
   * @default [32, 256, 256]
   */
  chunks?: Vec3;
  /** @default 'blosc-zstd' */
  compressor?: Compressor;
  /** Voxel size (z, y, x) in µm. @default [1, 1, 1] */
  voxelSize?: Vec3;
  /** Replace an existing store and YAML of the same name. @default false */
  overwrite?: boolean;
  /** Called after each tile is written. */
  onTile?: (done: number, total: number) => void;
}

export const IMPORT_DEFAULTS = { name: 'imported', chunks: [32, 256, 256] as Vec3, compressor: 'blosc-zstd' as Compressor, voxelSize: [1, 1, 1] as Vec3 };

const ID_RE = /^[A-Za-z0-9_.:-]+$/;

function fail(reason: string, details: Record<string, unknown> = {}): StitchgraphError {
  return new StitchgraphError('InputError', `Cannot import TIFF campaign: ${reason}`, { details });
}

/**
 * Import TIFF stacks as the tiles of a new campaign: a Zarr v3 store (`tiles/<id>`, 3-D uint8 /
 * uint16 / int16 / float32 ... as in the TIFF) and the campaign YAML listing the tiles with their
 * positions. Every source is opened and checked before anything is written; the store is written
 * under a temporary name and renamed into place, then the YAML is written atomically, so a
 * failed import leaves nothing behind. Returns the YAML path.
 */
export async function importTiffCampaign(options: ImportTiffCampaignOptions): Promise<string> {
  const { tiles, name = IMPORT_DEFAULTS.name, chunks = IMPORT_DEFAULTS.chunks, compressor = IMPORT_DEFAULTS.compressor, voxelSize = IMPORT_DEFAULTS.voxelSize, overwrite = false } = options;
  const outDir = resolve(options.outDir);
  if (tiles.length === 0) throw fail('no tiles given');
  if (!ID_RE.test(name)) throw fail(`campaign name "${name}" may hold letters, digits and _ . : - only`);
  if (!chunks.every((c) => Number.isInteger(c) && c >= 1)) throw fail(`chunks [${chunks}] must be positive integers`);
  const seen = new Set<string>();
  for (const t of tiles) {
    if (!ID_RE.test(t.id)) throw fail(`tile id "${t.id}" may hold letters, digits and _ . : - only`, { tile: t.id });
    if (seen.has(t.id)) throw fail(`duplicate tile id "${t.id}"`, { tile: t.id });
    seen.add(t.id);
    if (t.position.length !== 3 || !t.position.every(Number.isFinite)) throw fail(`tile "${t.id}" position [${t.position}] is not three numbers (z, y, x)`, { tile: t.id });
  }
  const configPath = join(outDir, `${name}.yaml`);
  const storePath = join(outDir, `${name}.zarr`);
  if (!overwrite && (existsSync(configPath) || existsSync(storePath))) {
    throw fail(`${existsSync(configPath) ? configPath : storePath} already exists (pass overwrite / --overwrite to replace it)`);
  }

  // Open every source first: a bad file fails the import before anything is written.
  const sources: TileSource[] = [];
  try {
    for (const t of tiles) sources.push(await openTileSource(resolve(t.file)));
  } catch (err) {
    await Promise.all(sources.map((s) => s.close()));
    throw err;
  }

  await mkdir(outDir, { recursive: true });
  const tmp = join(outDir, `.${name}.zarr.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await createGroup(tmp, '/', { stitchgraph: { imported_from: 'tiff' } });
    await createGroup(tmp, 'tiles');
    for (let i = 0; i < tiles.length; i++) {
      await writeTile(tmp, tiles[i], sources[i], chunks, compressor);
      options.onTile?.(i + 1, tiles.length);
    }
    if (existsSync(storePath)) {
      const old = `${tmp}.old`;
      await rename(storePath, old);
      await rename(tmp, storePath);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, storePath);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }

  const rel = (p: string) => relative(dirname(configPath), p) || '.';
  const config = {
    campaign: name,
    store: `./${rel(storePath)}`,
    // Beside the YAML and named after it: importing into out/mosaic/ puts the results in
    // out/mosaic/mosaic-work/, and two campaigns imported into one folder never share a workdir.
    workdir: `./${name}-work`,
    voxel_size: voxelSize,
    tiles: tiles.map((t) => ({ id: t.id, array: `tiles/${t.id}`, position: [...t.position] })),
  };
  await writeFileAtomic(configPath, `# Imported from TIFF by \`stitchgraph import\`\n` + campaignYaml(config));
  return configPath;
}

async function writeTile(storeRoot: string, tile: ImportTile, src: TileSource, chunks: Vec3, compressor: Compressor): Promise<void> {
  const [d, h, w] = src.shape;
  const ch: Vec3 = [Math.min(chunks[0], d), Math.min(chunks[1], h), Math.min(chunks[2], w)];
  const arr = await createArray(storeRoot, `tiles/${tile.id}`, {
    shape: [d, h, w],
    chunks: ch,
    dtype: src.dtype,
    compressor,
    dimensionNames: ['z', 'y', 'x'],
    attributes: { stitchgraph: { source: src.describe } },
  });
  const plane = h * w;
  // Whole chunk-deep slabs: every chunk is encoded once, never read back and merged.
  for (let z0 = 0; z0 < d; z0 += ch[0]) {
    const dz = Math.min(ch[0], d - z0);
    const slab = allocTyped(src.dtype, dz * plane);
    for (let k = 0; k < dz; k++) slab.set(await src.readPlane(z0 + k), k * plane);
    await writeRegion(arr, [z0, 0, 0], [dz, h, w], slab);
  }
}

import { existsSync } from 'node:fs';
import { loadCampaignConfig, type LoadedConfig } from './load-config.js';
import type { CampaignConfig, FieldOfView } from './schema.js';
import { assertOneDimensionality } from './_assert-one-dimensionality.js';
import { StitchgraphError, isStitchgraphError } from '../errors.js';
import { openFileStore, openTileArray, type Readable, type TileArray } from '../zarrio/tile-array.js';
import type { TileDtype } from '../zarrio/dtypes.js';
import type { Vec3 } from '../geometry/box.js';
import { readOmeMultiscales, type OmeMultiscales } from '../pyramid/read-ome-multiscales.js';

/** One tile as the pipeline sees it: identity, where it nominally sits, and what it holds. */
export interface TileInfo {
  id: string;
  /** Array path inside the store (of level 0 when the campaign names an OME-Zarr image group). */
  array: string;
  /** Set when the campaign's `array` names an OME-Zarr multiscale image: its levels, level 0 first. */
  multiscales?: OmeMultiscales;
  /** Nominal (stage) position of voxel (0,0,0) in the global frame. */
  nominal: Vec3;
  shape: Vec3;
  dtype: TileDtype;
  fieldOfView: FieldOfView;
  /** Voxels equal to this carry no image (also NaN in float tiles). */
  fillValue: number | undefined;
  /** Grid index (z, y, x) when the campaign is a grid. */
  gridIndex?: Vec3;
}

export interface Campaign {
  /** Absolute path of the campaign YAML. */
  file: string;
  name: string;
  config: CampaignConfig & { campaign: string };
  storePath: string;
  store: Readable;
  workdir: string;
  voxelSize: Vec3;
  tiles: TileInfo[];
  tileById: Map<string, TileInfo>;
  /** Open (and memoise) a tile's array. */
  openTile(id: string): Promise<TileArray>;
}

function expandTemplate(tpl: string, idx: Vec3): string {
  return tpl.replaceAll('{z}', String(idx[0])).replaceAll('{y}', String(idx[1])).replaceAll('{x}', String(idx[2]));
}

/** Build a Campaign from a validated config: expands the grid, opens every tile's metadata. */
export async function campaignFromConfig(loaded: LoadedConfig): Promise<Campaign> {
  const { file, config } = loaded;
  if (!existsSync(config.store)) {
    throw new StitchgraphError('ConfigError', `Cannot open campaign ${file}: store: no such directory ${config.store}`, {
      details: { file, key: 'store', path: config.store },
    });
  }
  const store = openFileStore(config.store);
  const arrays = new Map<string, TileArray>();
  const images = new Map<string, OmeMultiscales>();
  // A tile's `array` may name an OME-Zarr image group (written by another tool): level 0 is its first dataset.
  const open = async (arrayPath: string, key: string): Promise<TileArray> => {
    try {
      const image = await readOmeMultiscales(store, arrayPath);
      if (image) images.set(arrayPath, image);
      const level0 = image ? image.datasets[0].path : arrayPath;
      const a = await openTileArray(store, level0, config.store);
      arrays.set(level0, a);
      return a;
    } catch (err) {
      if (isStitchgraphError(err)) {
        throw new StitchgraphError(err._tag, `${err.message} (campaign ${file}, ${key})`, { cause: err, details: { ...err.details, file, key } });
      }
      throw err;
    }
  };
  const tiles: TileInfo[] = [];
  if (config.tiles) {
    const metas = await Promise.all(config.tiles.map((t, i) => open(t.array, `tiles[${i}].array`)));
    config.tiles.forEach((t, i) => {
      tiles.push({
        id: t.id,
        array: images.get(t.array)?.datasets[0].path ?? t.array,
        multiscales: images.get(t.array),
        nominal: [...t.position],
        shape: metas[i].shape,
        dtype: metas[i].dtype,
        fieldOfView: t.field_of_view ?? config.field_of_view,
        fillValue: t.fill_value ?? config.fill_value,
      });
    });
  } else if (config.grid) {
    const g = config.grid;
    const overlap: Vec3 = typeof g.overlap === 'number' ? [g.overlap, g.overlap, g.overlap] : [...g.overlap];
    const idxs: Vec3[] = [];
    for (let z = 0; z < g.tiles[0]; z++) for (let y = 0; y < g.tiles[1]; y++) for (let x = 0; x < g.tiles[2]; x++) idxs.push([z, y, x]);
    const metas = await Promise.all(idxs.map((idx) => open(expandTemplate(g.array, idx), `grid.array (tile ${expandTemplate(g.id, idx)})`)));
    const seen = new Set<string>();
    idxs.forEach((idx, i) => {
      const shape = metas[i].shape;
      const id = expandTemplate(g.id, idx);
      if (seen.has(id)) {
        throw new StitchgraphError('ConfigError', `Cannot open campaign ${file}: grid.id template "${g.id}" gives duplicate tile id "${id}"`, { details: { file, key: 'grid.id' } });
      }
      seen.add(id);
      tiles.push({
        id,
        array: images.get(expandTemplate(g.array, idx))?.datasets[0].path ?? expandTemplate(g.array, idx),
        multiscales: images.get(expandTemplate(g.array, idx)),
        nominal: [0, 1, 2].map((a) => g.origin[a] + Math.round(idx[a] * shape[a] * (1 - overlap[a]))) as Vec3,
        shape,
        dtype: metas[i].dtype,
        fieldOfView: config.field_of_view,
        fillValue: config.fill_value,
        gridIndex: idx,
      });
    });
  }
  assertOneDimensionality(file, tiles);
  const tileById = new Map(tiles.map((t) => [t.id, t]));
  return {
    file,
    name: config.campaign,
    config,
    storePath: config.store,
    store,
    workdir: config.workdir,
    voxelSize: [...config.voxel_size],
    tiles,
    tileById,
    async openTile(id: string): Promise<TileArray> {
      const t = tileById.get(id);
      if (!t) throw new StitchgraphError('TileNotFound', `Cannot open tile "${id}": campaign ${file} has no such tile`, { details: { tile: id } });
      return arrays.get(t.array) ?? open(t.array, `tile ${id}`);
    },
  };
}

/** Open a campaign YAML: validate it, expand the grid, open every tile's metadata. */
export async function openCampaign(path: string): Promise<Campaign> {
  return campaignFromConfig(await loadCampaignConfig(path));
}

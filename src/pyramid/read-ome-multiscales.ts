import type { Readable } from '../zarrio/tile-array.js';
import { join } from 'node:path/posix';
import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';

/** One dataset of an OME-Zarr multiscale image, as the image declares it. */
export interface OmeDataset {
  /** Array path inside the store (the group's path joined with the dataset's). */
  path: string;
  /** The dataset's `scale` transform (z, y, x: the last three axes), when it has one. */
  scale?: Vec3;
}

/** An OME-Zarr (NGFF 0.4 on Zarr v2, 0.5 on Zarr v3) multiscale image group. */
export interface OmeMultiscales {
  group: string;
  version: string;
  /** Highest resolution first, as NGFF requires. */
  datasets: OmeDataset[];
}

interface RawDataset {
  path?: unknown;
  coordinateTransformations?: { type?: string; scale?: unknown }[];
}

async function readJson(store: Readable, key: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await store.get(`/${key.replace(/^\/+/, '')}` as `/${string}`);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function lastThree(v: unknown): Vec3 | undefined {
  if (!Array.isArray(v) || v.length < 2 || !v.every((x) => typeof x === 'number')) return undefined;
  const n = v as number[];
  return n.length === 2 ? [1, n[0], n[1]] : [n[n.length - 3], n[n.length - 2], n[n.length - 1]];
}

/**
 * The multiscales of the group at `path`, or undefined when it is not a group with `multiscales`
 * attributes (an array, or nothing). Attributes are read from `.zattrs` (Zarr v2, NGFF 0.4, as
 * zarr-python and ome-zarr-py write them) or `zarr.json` (`attributes.ome.multiscales`, NGFF 0.5,
 * or `attributes.multiscales`). Only the first multiscale image of a group is used.
 */
export async function readOmeMultiscales(store: Readable, path: string): Promise<OmeMultiscales | undefined> {
  const group = path.replace(/^\/+|\/+$/g, '');
  const v3 = await readJson(store, join(group, 'zarr.json'));
  let attrs: Record<string, unknown> | undefined;
  if (v3) {
    if (v3.node_type !== 'group') return undefined;
    attrs = v3.attributes as Record<string, unknown> | undefined;
    const ome = attrs?.ome as Record<string, unknown> | undefined;
    if (ome?.multiscales) attrs = ome;
  } else {
    if (!(await readJson(store, join(group, '.zgroup')))) return undefined;
    attrs = await readJson(store, join(group, '.zattrs'));
  }
  const list = attrs?.multiscales;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const ms = list[0] as { version?: unknown; datasets?: unknown };
  if (!Array.isArray(ms.datasets) || ms.datasets.length === 0) {
    throw new StitchgraphError('TileNotFound', `Cannot open OME-Zarr image "${group}": its multiscales list no datasets`, { details: { path: group } });
  }
  const datasets = (ms.datasets as RawDataset[]).map((d, i) => {
    if (typeof d.path !== 'string' || !d.path) throw new StitchgraphError('TileNotFound', `Cannot open OME-Zarr image "${group}": multiscales datasets[${i}] has no path`, { details: { path: group } });
    const scale = lastThree(d.coordinateTransformations?.find((t) => t.type === 'scale')?.scale);
    return { path: group ? `${group}/${d.path}` : d.path, scale };
  });
  return { group, version: typeof ms.version === 'string' ? ms.version : String(attrs?.version ?? ''), datasets };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import type { TileDtype } from '../zarrio/dtypes.js';

/**
 * The derived pyramid store (Zarr v2, NGFF 0.4): one group per tile id holding levels 1..n as
 * arrays "1", "2", ... (level 0 is the source tile, never copied). The group's `.zattrs` lists in
 * `multiscales` only the levels that are complete, and `stitchgraph.pyramid` says what the
 * levels were built from.
 */
export interface PyramidGroupAttrs {
  /** Source store and array of level 0. */
  source: { store: string; array: string };
  shape: Vec3;
  dtype: TileDtype;
  /** The tile's fill value: voxels equal to it (and NaN) are left out of the means. */
  fill: number | null;
  /** Factors of every planned level, level 0 first. */
  factors: Vec3[];
  chunk: Vec3;
  /** Highest level written completely (0: none yet). */
  complete: number;
  fingerprint: string;
}

export const PARAMS_FILE = '.stitchgraph-pyramid.json';
export const DONE_LOG = '.stitchgraph-pyramid-done.log';

export function tileGroupPath(store: string, tileId: string): string {
  return join(store, tileId);
}

export function levelPath(store: string, tileId: string, level: number): string {
  return join(store, tileId, String(level));
}

/**
 * NGFF 0.4 `.zattrs` of a tile's pyramid group: scale = voxel size × factors; the translation puts
 * voxel 0 of a level where the mean it holds is centred, (f − 1)/2 level-0 voxels in.
 */
export function pyramidGroupAttrs(tileId: string, voxelSize: Vec3, attrs: PyramidGroupAttrs): Record<string, unknown> {
  const datasets = attrs.factors.slice(1, attrs.complete + 1).map((f, i) => ({
    path: String(i + 1),
    coordinateTransformations: [
      { type: 'scale', scale: f.map((v, a) => v * voxelSize[a]) },
      { type: 'translation', translation: f.map((v, a) => ((v - 1) / 2) * voxelSize[a]) },
    ],
  }));
  return {
    multiscales: [
      {
        version: '0.4',
        name: tileId,
        axes: ['z', 'y', 'x'].map((name) => ({ name, type: 'space', unit: 'micrometer' })),
        datasets,
        type: 'mean',
        metadata: { description: 'levels 1.. of the tile; level 0 is stitchgraph.pyramid.source. Each voxel is the mean of the level-0 voxels it covers (clipped at the tile edge).' },
      },
    ],
    stitchgraph: { pyramid: attrs },
  };
}

/** The `stitchgraph.pyramid` attributes of a tile's group, or undefined when there is none. */
export async function readPyramidGroupAttrs(store: string, tileId: string): Promise<PyramidGroupAttrs | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(tileGroupPath(store, tileId), '.zattrs'), 'utf8')) as { stitchgraph?: { pyramid?: PyramidGroupAttrs } };
    return doc.stitchgraph?.pyramid;
  } catch {
    return undefined;
  }
}

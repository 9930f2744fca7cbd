import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import { readPositionsFile } from '../formats/positions.js';
import type { ResolvedViewOptions, StitchedVolume } from './stitched-volume.js';

/** What fuseVolume records in its output (fuse-volume.ts PARAMS_FILE and FUSE_COMPLETE_MARKER). */
interface FuseParams {
  fingerprint: string;
  campaign: string;
  positions: string | null;
  options: ResolvedViewOptions;
  dtype: string;
  chunk: Vec3;
  levels: number;
  origin: Vec3;
  shape: Vec3;
}

/** Chunks of a fused output, by level and chunk index: float32, the layout of the served arrays. */
export type FusedChunk = (level: number, idx: Vec3) => Promise<Float32Array>;

const readJson = async <T>(path: string): Promise<T | undefined> => JSON.parse(await readFile(path, 'utf8').catch(() => 'null')) as T | undefined;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fused output at `dir` as a source of served chunks, or undefined unless it is complete and
 * is exactly what the server would compute: same campaign, tile positions, view options, extent
 * and chunk shape, float32 voxels (a rounded dtype would not equal getView). Its levels then come
 * from disk at the cost of one chunk read each.
 */
export async function fusedSource(dir: string, volume: StitchedVolume, viewOpts: ResolvedViewOptions, chunk: Vec3, paramsFile: string, markerFile: string): Promise<{ levels: number; read: FusedChunk } | undefined> {
  const params = await readJson<FuseParams>(join(dir, paramsFile));
  const marker = await readJson<{ fingerprint?: string }>(join(dir, markerFile));
  if (!params || !marker || marker.fingerprint !== params.fingerprint) return undefined;
  if (params.campaign !== volume.campaign.file || params.dtype !== 'float32' || !same(params.options, viewOpts) || !same(params.chunk, chunk)) return undefined;
  if (!same(params.origin, volume.origin) || !same(params.shape, volume.shape)) return undefined;
  // An NGFF 0.5 output carries Zarr v3 metadata only; the served (v2) chunks are composed instead.
  if ((params as { ngff?: string }).ngff === '0.5') return undefined;
  // The positions the output was fused at are those of this volume (nominal ones when none).
  const positions = params.positions ? (await readPositionsFile(params.positions).catch(() => undefined))?.tiles : undefined;
  if (params.positions && !positions) return undefined;
  for (const t of volume.tiles) {
    const p = positions?.[t.info.id]?.position ?? t.info.nominal;
    if (!same(p, t.position)) return undefined;
  }
  const arrays = new Map<number, Promise<ZarrV2Array>>();
  const read: FusedChunk = async (level, idx) => {
    let arr = arrays.get(level);
    if (!arr) {
      arr = ZarrV2Array.open(join(dir, String(level)));
      arrays.set(level, arr);
    }
    const data = await (await arr).readRegion(idx.map((c, a) => c * chunk[a]), chunk);
    return data instanceof Float32Array ? data : new Float32Array(data);
  };
  return { levels: params.levels, read };
}

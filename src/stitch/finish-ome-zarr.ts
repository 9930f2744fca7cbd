import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { StitchgraphError } from '../errors.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import type { TileDtype } from '../zarrio/dtypes.js';

export type NgffVersion = '0.4' | '0.5';

/** Zarr v3 data type names of our dtypes (the v3 spec's core types). */
const V3_DTYPE: Record<TileDtype, string> = { uint8: 'uint8', uint16: 'uint16', int16: 'int16', uint32: 'uint32', int32: 'int32', float32: 'float32', float64: 'float64' };
const BYTES: Record<TileDtype, number> = { uint8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

/**
 * OME-NGFF `omero` display metadata from the data's range: the window spans the 0.5–99.5
 * percentiles of the values given (what viewers show by default), min/max their extremes.
 */
export function omeroMetadata(values: ArrayLike<number>, label: string): Record<string, unknown> {
  const step = Math.max(1, Math.floor(values.length / 262_144));
  const picked = new Float64Array(Math.ceil(values.length / step));
  let count = 0;
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) picked[count++] = values[i];
  // A typed array's numeric sort, not an array's with a comparator (several times faster at 262 k values).
  const sample = picked.subarray(0, count).sort();
  const at = (q: number) => (sample.length ? sample[Math.min(sample.length - 1, Math.floor(q * (sample.length - 1)))] : 0);
  const window = { min: at(0), max: at(1), start: at(0.005), end: at(0.995) };
  return { name: label, version: '0.4', channels: [{ label, color: 'FFFFFF', active: true, inverted: false, coefficient: 1, family: 'linear', window }], rdefs: { model: 'greyscale', defaultZ: 0 } };
}

/** Chunks read for the display window: memory and time stay bounded when the coarsest level is large (`--levels 1`). */
const WINDOW_CHUNKS = 27;

/** Voxels of up to WINDOW_CHUNKS chunks spread evenly over the level (all of it when it is that small). */
async function sampleLevel(level: ZarrV2Array): Promise<Float64Array> {
  const { shape, chunks } = level.meta;
  const grid = shape.map((s, a) => Math.ceil(s / chunks[a]));
  const per = Math.max(1, Math.round(Math.cbrt(WINDOW_CHUNKS)));
  const picks = grid.map((n) => [...new Set(Array.from({ length: Math.min(n, per) }, (_, i) => Math.floor(((i + 0.5) * n) / Math.min(n, per))))]);
  const parts: ArrayLike<number>[] = [];
  for (const z of picks[0])
    for (const y of picks[1])
      for (const x of picks[2]) {
        const start = [z, y, x].map((c, a) => c * chunks[a]);
        parts.push(await level.readRegion(start, start.map((s0, a) => Math.min(chunks[a], shape[a] - s0))));
      }
  const values = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) values[o++] = p[i];
  return values;
}

/**
 * The Zarr v3 `zarr.json` of one array whose chunks were written as Zarr v2 ("/"-separated keys,
 * blosc or no compressor): the v2 chunk key encoding and the blosc codec describe the very same
 * bytes, so the chunks stay where they are.
 */
function v3ArrayDocument(v2: Record<string, unknown>, dtype: TileDtype): Record<string, unknown> {
  const compressor = v2.compressor as { id: string; cname?: string; clevel?: number; shuffle?: number; blocksize?: number } | null;
  if (compressor && compressor.id !== 'blosc') {
    throw new StitchgraphError('InputError', `Cannot write NGFF 0.5: compressor ${compressor.id} has no Zarr v3 codec for the same bytes; fuse with --compressor blosc`);
  }
  const shuffle = ['noshuffle', 'shuffle', 'bitshuffle'][compressor?.shuffle ?? 0];
  return {
    zarr_format: 3,
    node_type: 'array',
    shape: v2.shape,
    data_type: V3_DTYPE[dtype],
    chunk_grid: { name: 'regular', configuration: { chunk_shape: v2.chunks } },
    chunk_key_encoding: { name: 'v2', configuration: { separator: '/' } },
    fill_value: v2.fill_value,
    codecs: [
      { name: 'bytes', configuration: { endian: 'little' } },
      ...(compressor ? [{ name: 'blosc', configuration: { cname: compressor.cname, clevel: compressor.clevel, shuffle, typesize: BYTES[dtype], blocksize: compressor.blocksize ?? 0 } }] : []),
    ],
    attributes: {},
    dimension_names: ['z', 'y', 'x'],
  };
}

/**
 * Completes a fused OME-Zarr: adds `omero` display metadata from the data's range, and for NGFF
 * 0.5 rewrites the metadata as Zarr v3 (`zarr.json` per group and array, attributes under `ome`,
 * the v2 documents removed; chunks untouched). NGFF 0.4 / Zarr v2 (the default) stays what
 * zarr-python 2 and most viewers read.
 */
export async function finishOmeZarr(out: string, levels: number, ngff: NgffVersion, label: string): Promise<void> {
  const attrs = JSON.parse(await readFile(join(out, '.zattrs'), 'utf8')) as { multiscales: Record<string, unknown>[]; [k: string]: unknown };
  const omero = omeroMetadata(await sampleLevel(await ZarrV2Array.open(join(out, String(levels - 1)))), label);
  if (ngff === '0.4') {
    await writeJsonAtomic(join(out, '.zattrs'), { ...attrs, omero });
    return;
  }
  for (let l = 0; l < levels; l++) {
    const dir = join(out, String(l));
    const v2 = JSON.parse(await readFile(join(dir, '.zarray'), 'utf8')) as Record<string, unknown>;
    const level = await ZarrV2Array.open(dir);
    await writeJsonAtomic(join(dir, 'zarr.json'), v3ArrayDocument(v2, level.meta.dtype));
    await rm(join(dir, '.zarray'), { force: true });
  }
  const { multiscales, ...rest } = attrs;
  const ms = multiscales.map(({ version: _version, ...m }) => m);
  await writeJsonAtomic(join(out, 'zarr.json'), { zarr_format: 3, node_type: 'group', attributes: { ome: { version: '0.5', multiscales: ms, omero: { ...omero, version: undefined } }, ...rest } });
  await rm(join(out, '.zattrs'), { force: true });
  await rm(join(out, '.zgroup'), { force: true });
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import { openCampaignOnce } from '../campaign/open-campaign-once.js';
import { openStitchedVolume } from './open-stitched-volume.js';
import { convertDtype, type ResolvedViewOptions, type StitchedVolume } from './stitched-volume.js';
import { downsampleMean } from './downsample-mean.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import type { JobHandler } from '../distributed/job-handlers.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { FuseBlockPayloadSchema } from './fuse-block-payload.js';

/** A `fuse-block` job: one chunk of one pyramid level. Descriptors only: the worker reads the tiles itself. */
export interface FuseBlockPayload {
  campaign: string;
  /** positions.json, or null for the nominal positions. */
  positions: string | null;
  /** Identifies the positions' content and the options: a worker reopens the volume when it changes. */
  fingerprint: string;
  /** The OME-Zarr group being written. */
  out: string;
  level: number;
  /** Chunk indices (z, y, x) in the level's array, written in this order. */
  blocks: Vec3[];
  options: ResolvedViewOptions;
}

export const INTENSITY_FILE = '.stitchgraph-intensity.json';

/** Volumes opened by this process, shared by its jobs (and their chunk cache). */
const volumes = new Map<string, Promise<StitchedVolume>>();

async function volumeFor(p: FuseBlockPayload): Promise<StitchedVolume> {
  const key = `${p.campaign}\n${p.positions}\n${p.out}\n${p.fingerprint}`;
  let v = volumes.get(key);
  if (!v) {
    // A long-lived worker keeps only the latest few volumes (and their caches).
    for (const old of [...volumes.keys()].slice(0, Math.max(0, volumes.size - 1))) volumes.delete(old);
    v = (async () => {
      const campaign = await openCampaignOnce(p.campaign);
      let intensity: { gain: number[]; offset: number[]; helps: boolean } | undefined;
      try {
        intensity = JSON.parse(await readFile(join(p.out, INTENSITY_FILE), 'utf8')) as typeof intensity;
      } catch {
        intensity = undefined;
      }
      return openStitchedVolume(campaign, p.positions ?? undefined, { intensity });
    })();
    v.catch(() => volumes.delete(key));
    volumes.set(key, v);
  }
  return v;
}

/**
 * Fuse the blocks of a job, one chunk at a time: level 0 is composed from the tiles; level L is
 * the mean of the level below as already written (so levels run in order, each after the one
 * below is complete).
 */
export async function fuseBlocks(p: FuseBlockPayload): Promise<{ level: number; blocks: number; empty: number }> {
  const volume = await volumeFor(p);
  const arr = await ZarrV2Array.open(join(p.out, String(p.level)));
  const child = p.level > 0 ? await ZarrV2Array.open(join(p.out, String(p.level - 1))) : undefined;
  const chunk = arr.meta.chunks as Vec3;
  const ext = volume.levelExtent(p.level);
  // Level 0: the box of the job's chunks composed at once, read in big boxes past the cache.
  let region: { start: Vec3; size: Vec3; data: Float32Array } | undefined;
  if (!child) {
    const lo = [0, 1, 2].map((a) => ext.lo[a] + Math.min(...p.blocks.map((b) => b[a])) * chunk[a]) as Vec3;
    const hi = [0, 1, 2].map((a) => ext.lo[a] + (Math.max(...p.blocks.map((b) => b[a])) + 1) * chunk[a]) as Vec3;
    const size = hi.map((h, a) => h - lo[a]) as Vec3;
    region = { start: lo, size, data: await volume.viewFloat(0, lo, size, p.options, { uncached: true }) };
  }
  let empty = 0;
  for (const block of p.blocks) if (!(await fuseBlock(volume, arr, child, region, p, block))) empty++;
  return { level: p.level, blocks: p.blocks.length, empty };
}

/** One chunk of the output; false when no tile reaches it (left unwritten). */
async function fuseBlock(volume: StitchedVolume, arr: ZarrV2Array, child: ZarrV2Array | undefined, region: { start: Vec3; size: Vec3; data: Float32Array } | undefined, p: FuseBlockPayload, block: Vec3): Promise<boolean> {
  const chunk = arr.meta.chunks as Vec3;
  const ext = volume.levelExtent(p.level);
  const start = block.map((b, a) => ext.lo[a] + b * chunk[a]) as Vec3;
  let data: Float32Array;
  if (region) {
    data = new Float32Array(chunk[0] * chunk[1] * chunk[2]);
    copyBox(region.data, region.size, start.map((s, a) => s - region.start[a]) as Vec3, data, chunk);
  } else if (!child) {
    data = await volume.viewFloat(0, start, chunk, p.options);
  } else {
    const f = volume.levelStep(p.level);
    const below = volume.levelExtent(p.level - 1);
    const childStart = start.map((s, a) => s * f[a]) as Vec3;
    const childSize = chunk.map((s, a) => s * f[a]) as Vec3;
    const raw = await child.readRegion(childStart.map((s, a) => s - below.lo[a]), childSize);
    data = downsampleMean(raw instanceof Float32Array ? raw : new Float32Array(raw), childStart, childSize, f, below.lo, below.hi, p.options.fillValue).data;
  }
  const out = convertDtype(data, arr.meta.dtype);
  // A block no tile reaches stays unwritten: readers see the array's fill value, as written.
  const fill = arr.meta.fillValue;
  let empty = true;
  for (let o = 0; o < out.length && empty; o++) if (out[o] !== fill) empty = false;
  if (!empty) await arr.writeBlock(block.map((b, a) => b * chunk[a]), chunk, out);
  return !empty;
}

export const fuseBlockHandler: JobHandler = (payload) => fuseBlocks(parseJobPayload('fuse-block', FuseBlockPayloadSchema, payload));

/** The box at `at` of shape `size` out of a C-order array of shape `shape`, into `out`. */
function copyBox(src: Float32Array, shape: Vec3, at: Vec3, out: Float32Array, size: Vec3): void {
  for (let z = 0, o = 0; z < size[0]; z++)
    for (let y = 0; y < size[1]; y++, o += size[2]) {
      const s = ((at[0] + z) * shape[1] + at[1] + y) * shape[2] + at[2];
      out.set(src.subarray(s, s + size[2]), o);
    }
}

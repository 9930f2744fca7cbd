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
  /** Chunk index (z, y, x) in the level's array. */
  block: Vec3;
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
 * Fuse one block: level 0 is composed from the tiles; level L is the mean of the level below as
 * already written (so levels run in order, each after the one below is complete).
 */
export async function fuseBlock(p: FuseBlockPayload): Promise<{ level: number; block: Vec3; empty: boolean }> {
  const volume = await volumeFor(p);
  const arr = await ZarrV2Array.open(join(p.out, String(p.level)));
  const chunk = arr.meta.chunks as Vec3;
  const ext = volume.levelExtent(p.level);
  const start = p.block.map((b, a) => ext.lo[a] + b * chunk[a]) as Vec3;
  let data: Float32Array;
  if (p.level === 0) {
    data = await volume.viewFloat(0, start, chunk, p.options);
  } else {
    const f = volume.levelStep(p.level);
    const below = volume.levelExtent(p.level - 1);
    const childStart = start.map((s, a) => s * f[a]) as Vec3;
    const childSize = chunk.map((s, a) => s * f[a]) as Vec3;
    const child = await ZarrV2Array.open(join(p.out, String(p.level - 1)));
    const raw = await child.readRegion(childStart.map((s, a) => s - below.lo[a]), childSize);
    data = downsampleMean(Float32Array.from(raw), childStart, childSize, f, below.lo, below.hi, p.options.fillValue).data;
  }
  const out = convertDtype(data, arr.meta.dtype);
  // A block no tile reaches stays unwritten: readers see the array's fill value, as written.
  const fill = arr.meta.fillValue;
  let empty = true;
  for (let o = 0; o < out.length && empty; o++) if (out[o] !== fill) empty = false;
  if (!empty) await arr.writeBlock(p.block.map((b, a) => b * chunk[a]), chunk, out);
  return { level: p.level, block: p.block, empty };
}

export const fuseBlockHandler: JobHandler = (payload) => fuseBlock(parseJobPayload('fuse-block', FuseBlockPayloadSchema, payload));

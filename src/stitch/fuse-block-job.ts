import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import { openCampaignOnce } from '../campaign/open-campaign-once.js';
import { openStitchedVolume } from './open-stitched-volume.js';
import { convertDtype, type ResolvedViewOptions, type StitchedVolume } from './stitched-volume.js';
import { downsampleMean } from './downsample-mean.js';
import { composeRegion, type TileBlock } from './compose-region.js';
import { TileBlockBuffers } from './tile-block-buffers.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import { allocTyped, type TileDtype, type TileTypedArray } from '../zarrio/dtypes.js';
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
  let empty = 0;
  if (!child) {
    // Level 0: piece by piece (runs of chunks along x no bigger than the volume composes at once),
    // the tiles read once per piece in big boxes past the cache, then composed chunk by chunk
    // straight into reused chunk arrays. (Composing the whole job first held a float copy of it.)
    const scratch = takeScratch();
    try {
      for (const piece of chunkRuns(p.blocks, Math.max(1, Math.floor(volume.maxPieceVoxels / chunkVoxels(arr))))) {
        const blocks = await pieceBlocks(volume, arr, p, piece, scratch);
        for (const block of piece) if (!(await writeComposedChunk(volume, arr, blocks, p, block, scratch))) empty++;
      }
    } finally {
      scratches.push(scratch);
    }
  } else {
    const scratch = takeScratch();
    try {
      for (const block of p.blocks) if (!(await fuseFromLevelBelow(volume, arr, child, p, block, scratch))) empty++;
    } finally {
      scratches.push(scratch);
    }
  }
  return { level: p.level, blocks: p.blocks.length, empty };
}

function chunkVoxels(arr: ZarrV2Array): number {
  return arr.meta.chunks.reduce((a, b) => a * b, 1);
}

/** The blocks in runs of consecutive chunks along x (same z and y), at most `most` each. */
function chunkRuns(blocks: Vec3[], most: number): Vec3[][] {
  const runs: Vec3[][] = [];
  for (const b of blocks) {
    const run = runs.at(-1);
    const prev = run?.at(-1);
    if (run && prev && run.length < most && prev[0] === b[0] && prev[1] === b[1] && prev[2] + 1 === b[2]) run.push(b);
    else runs.push([b]);
  }
  return runs;
}

/** Arrays a job reuses from chunk to chunk and piece to piece (see TileBlockBuffers for why). */
interface FuseScratch {
  blocks: TileBlockBuffers;
  /** A chunk as float (composed, or the mean of the level below), then in the output type. */
  float: Float32Array;
  out: TileTypedArray;
  /** The level below's voxels under a chunk. */
  below: TileTypedArray;
}

function ensureChunkArrays(scratch: FuseScratch, n: number, dtype: TileDtype): void {
  if (scratch.float.length !== n) scratch.float = new Float32Array(n);
  if (scratch.out.length !== n || scratch.out.constructor !== allocTyped(dtype, 0).constructor) scratch.out = allocTyped(dtype, n);
}
/** Scratches of finished jobs, for the next ones in this process (one per job running at once). */
const scratches: FuseScratch[] = [];
function takeScratch(): FuseScratch {
  return scratches.pop() ?? { blocks: new TileBlockBuffers(), float: new Float32Array(0), out: new Uint8Array(0), below: new Uint8Array(0) };
}

/** The tile blocks of the box of a run of chunks of level 0, read into the scratch's arrays. */
async function pieceBlocks(volume: StitchedVolume, arr: ZarrV2Array, p: FuseBlockPayload, piece: Vec3[], scratch: FuseScratch): Promise<TileBlock[]> {
  const chunk = arr.meta.chunks as Vec3;
  const ext = volume.levelExtent(0);
  const start = [0, 1, 2].map((a) => ext.lo[a] + piece[0][a] * chunk[a]) as Vec3;
  const size: Vec3 = [chunk[0], chunk[1], chunk[2] * piece.length];
  return volume.tileBlocks(start, size, p.options, { uncached: true }, undefined, scratch.blocks);
}

/** One chunk of level 0 composed from its piece's tile blocks; false when no tile reaches it (left unwritten). */
async function writeComposedChunk(volume: StitchedVolume, arr: ZarrV2Array, blocks: TileBlock[], p: FuseBlockPayload, block: Vec3, scratch: FuseScratch): Promise<boolean> {
  const chunk = arr.meta.chunks as Vec3;
  const ext = volume.levelExtent(0);
  const start = block.map((b, a) => ext.lo[a] + b * chunk[a]) as Vec3;
  const dtype = arr.meta.dtype;
  ensureChunkArrays(scratch, chunk[0] * chunk[1] * chunk[2], dtype);
  // The same voxels as getView's (composeRegion's values do not depend on the region's bounds).
  const data = composeRegion(start, chunk, blocks, p.options, scratch.float).data;
  // The chunk is encoded (copied into the encoder) before writeBlock first awaits, so the arrays are free again after.
  return writeIfReached(arr, block, convertDtype(data, dtype, scratch.out));
}

/** One chunk of level L > 0: the mean of the level below as already written; false when empty. */
async function fuseFromLevelBelow(volume: StitchedVolume, arr: ZarrV2Array, child: ZarrV2Array, p: FuseBlockPayload, block: Vec3, scratch: FuseScratch): Promise<boolean> {
  const chunk = arr.meta.chunks as Vec3;
  const ext = volume.levelExtent(p.level);
  const start = block.map((b, a) => ext.lo[a] + b * chunk[a]) as Vec3;
  const f = volume.levelStep(p.level);
  const below = volume.levelExtent(p.level - 1);
  const childStart = start.map((s, a) => s * f[a]) as Vec3;
  const childSize = chunk.map((s, a) => s * f[a]) as Vec3;
  const dtype = arr.meta.dtype;
  const n = chunk[0] * chunk[1] * chunk[2], nChild = childSize[0] * childSize[1] * childSize[2];
  if (scratch.below.length !== nChild || scratch.below.constructor !== allocTyped(dtype, 0).constructor) scratch.below = allocTyped(dtype, nChild);
  ensureChunkArrays(scratch, n, dtype);
  const raw = await child.readRegion(childStart.map((s, a) => s - below.lo[a]), childSize, scratch.below);
  // Any voxel type: the sums are float64 either way (no float copy of the 8 chunks read).
  const data = downsampleMean(raw, childStart, childSize, f, below.lo, below.hi, p.options.fillValue, scratch.float).data;
  return writeIfReached(arr, block, convertDtype(data, dtype, scratch.out));
}

/** Write a chunk unless every voxel is the fill value: a block no tile reaches stays unwritten (readers see the fill value). */
async function writeIfReached(arr: ZarrV2Array, block: Vec3, out: TileTypedArray): Promise<boolean> {
  const chunk = arr.meta.chunks as Vec3;
  const fill = arr.meta.fillValue;
  let empty = true;
  for (let o = 0; o < out.length && empty; o++) if (out[o] !== fill) empty = false;
  if (!empty) await arr.writeBlock(block.map((b, a) => b * chunk[a]), chunk, out);
  return !empty;
}

export const fuseBlockHandler: JobHandler = (payload) => fuseBlocks(parseJobPayload('fuse-block', FuseBlockPayloadSchema, payload));

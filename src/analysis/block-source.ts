import { randomUUID } from 'node:crypto';
import type { Box3, Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import { openFileStore, openTileArray } from '../zarrio/tile-array.js';
import { openCampaignOnce } from '../campaign/open-campaign-once.js';
import { openStitchedVolume } from '../stitch/open-stitched-volume.js';
import { tiffVolumeReader } from '../tiff/tiff-volume-reader.js';

/** Reads one box (global voxels, inside the volume) as C-order numbers. */
export type BlockReader = (box: Box3) => Promise<ArrayLike<number>>;

/**
 * What a block job reads, as JSON (jobs carry descriptors, never voxels):
 * - `zarr`: a 2-D or 3-D array of a local Zarr store;
 * - `local`: a reader registered in this process (`localBlockSource`), for the inline executor,
 *   tests, and the stitched view until it has a descriptor of its own.
 */
export type BlockSourceSpec =
  | { kind: 'zarr'; store: string; path: string }
  | { kind: 'local'; token: string; id?: string }
  /** The stitched view of a campaign (`getView`), opened by whichever process runs the block. */
  | { kind: 'stitched'; campaign: string; positions?: string }
  /** A multi-page TIFF stack (`analyze --input FILE.tif`). */
  | { kind: 'tiff'; file: string };

export interface BlockSource {
  spec: BlockSourceSpec;
  shape: Vec3;
  read: BlockReader;
}

const local = new Map<string, BlockSource>();

/**
 * Register an in-process reader (e.g. over `campaign.getView`) as a block source. `id` names the
 * volume across runs (e.g. the campaign file and its positions' hash): without it, saved block
 * results are never reused, since nothing tells two local volumes apart.
 */
export function localBlockSource(shape: Vec3, read: BlockReader, id?: string): BlockSource {
  const src: BlockSource = { spec: { kind: 'local', token: randomUUID(), ...(id ? { id } : {}) }, shape, read };
  local.set((src.spec as { token: string }).token, src);
  return src;
}

/** Forget a local source (its reader may hold a large volume). */
export function releaseBlockSource(src: BlockSource): void {
  if (src.spec.kind === 'local') local.delete(src.spec.token);
}

/** A block source from its descriptor, in whatever process runs the job. */
export async function openBlockSource(spec: BlockSourceSpec): Promise<BlockSource> {
  if (spec.kind === 'local') {
    const src = local.get(spec.token);
    if (!src) throw new StitchgraphError('JobFailed', `Cannot open block source ${spec.token}: a local source exists only in the process that made it (use a zarr source with remote workers)`);
    return src;
  }
  if (spec.kind === 'stitched') return openStitchedSource(spec);
  if (spec.kind === 'tiff') {
    const t = await tiffVolumeReader(spec.file);
    return { spec, shape: t.shape, read: t.read };
  }
  const arr = await openTileArray(openFileStore(spec.store), spec.path, spec.store);
  return { spec, shape: arr.shape, read: async (box) => (await arr.readRegion(box)).data };
}

/** A block source over an array of a local Zarr store (`store.zarr#path/in/store`). */
export async function zarrBlockSource(store: string, path: string): Promise<BlockSource> {
  return openBlockSource({ kind: 'zarr', store, path });
}

const stitched = new Map<string, Promise<BlockSource>>();

/**
 * The stitched view as a block source: box (0, 0, 0) is the volume's origin in the global frame.
 * Opened once per process (workers included) and shared by every block job.
 */
function openStitchedSource(spec: Extract<BlockSourceSpec, { kind: 'stitched' }>): Promise<BlockSource> {
  const key = `${spec.campaign}\0${spec.positions ?? ''}`;
  let p = stitched.get(key);
  if (!p) {
    p = (async () => {
      const campaign = await openCampaignOnce(spec.campaign);
      const volume = await openStitchedVolume(campaign, spec.positions);
      const o = volume.origin;
      const read: BlockReader = async (box) => (await volume.getView([o[0] + box.start[0], o[1] + box.start[1], o[2] + box.start[2]], box.size)).data;
      return { spec, shape: volume.shape, read };
    })();
    p.catch(() => stitched.delete(key));
    stitched.set(key, p);
  }
  return p;
}

/** A block source over the stitched view of a campaign (at `positions`, default workdir/positions.json). */
export function stitchedBlockSource(campaignFile: string, positions?: string): Promise<BlockSource> {
  return openBlockSource({ kind: 'stitched', campaign: campaignFile, ...(positions ? { positions } : {}) });
}

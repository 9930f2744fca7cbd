import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Campaign } from '../campaign/open-campaign.js';
import type { Vec3 } from '../geometry/box.js';
import { TYPED_ARRAY_OF } from '../zarrio/dtypes.js';
import { readPositionsFile } from '../formats/positions.js';
import { writeFileAtomic } from '../files/write-atomic.js';
import { formatSpimDataXml, type SpimDataDocument } from './spimdata-xml.js';
import { bdvTileTransforms } from './bdv-transforms.js';
import { writeBdvImages } from './write-bdv-images.js';

export type BdvImages = 'copy' | 'link';

/**
 * The campaign's choice (`export.bigstitcher`): `auto` copies the tiles for BigStitcher only while
 * they hold at most `export.bigstitcher_copy_limit_mb`; a whole organ is linked, never copied.
 */
export function bdvImagesFor(campaign: Campaign): BdvImages {
  const mode = campaign.config.export.bigstitcher;
  if (mode === 'copy' || mode === 'link') return mode;
  const bytes = campaign.tiles.reduce((s, t) => s + t.shape[0] * t.shape[1] * t.shape[2] * TYPED_ARRAY_OF[t.dtype].BYTES_PER_ELEMENT, 0);
  return bytes <= campaign.config.export.bigstitcher_copy_limit_mb * 2 ** 20 ? 'copy' : 'link';
}

export interface ExportBdvOptions {
  /** The XML file. @default <workdir>/bigstitcher.xml */
  out?: string;
  /**
   * `copy`: write BDV-readable OME-Zarr copies of the tiles (t, c, z, y, x with a pyramid) into
   * `<out>.ome.zarr` beside the XML; `link`: point the loader at the tile arrays in the source
   * store (right when they already are 5-D OME-Zarr images; the registrations are usable either way).
   * @default bdvImagesFor(campaign): copy while the tiles are small (export.bigstitcher)
   */
  images?: BdvImages;
  /** positions.json to export. @default <workdir>/positions.json, else the nominal positions */
  positions?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportBdvResult {
  xml: string;
  /** The image container the XML's loader names. */
  images: string;
  /** Where the positions came from: a positions.json path or "nominal". */
  positionsSource: string;
}

async function tilePositions(campaign: Campaign, path: string | undefined): Promise<{ positions: Map<string, Vec3>; source: string }> {
  const file = path ?? join(campaign.workdir, 'positions.json');
  const positions = new Map<string, Vec3>(campaign.tiles.map((t) => [t.id, t.nominal]));
  if (path === undefined && !existsSync(file)) return { positions, source: 'nominal' };
  const solved = await readPositionsFile(file);
  for (const t of campaign.tiles) if (solved.tiles[t.id]) positions.set(t.id, solved.tiles[t.id].position);
  return { positions, source: file };
}

/**
 * `stitchgraph export-bdv`: the campaign as a BigStitcher/BigDataViewer project (SpimData XML):
 * one ViewSetup per tile (size, voxel size), its optimised position as a ViewRegistration, and an
 * image loader BigStitcher opens. Positions are global voxels; BigStitcher's world unit is the
 * finest voxel size (its own convention, with a calibration transform per view).
 */
export async function exportBdv(campaign: Campaign, options: ExportBdvOptions = {}): Promise<ExportBdvResult> {
  const xml = resolve(options.out ?? join(campaign.workdir, 'bigstitcher.xml'));
  const { positions, source } = await tilePositions(campaign, options.positions);
  const mode = options.images ?? bdvImagesFor(campaign);
  let container: string;
  let groups: Map<string, string>;
  if (mode === 'copy') {
    container = xml.replace(/\.xml$/i, '') + '.ome.zarr';
    groups = await writeBdvImages(campaign, container, { signal: options.signal, onProgress: options.onProgress });
  } else {
    container = campaign.storePath;
    groups = new Map(campaign.tiles.map((t) => [t.id, t.array]));
  }
  const vs = campaign.voxelSize;
  const doc: SpimDataDocument = {
    setups: campaign.tiles.map((t, i) => ({ id: i, name: t.id, size_xyz: [t.shape[2], t.shape[1], t.shape[0]], voxelSize_xyz: [vs[2], vs[1], vs[0]], unit: 'micrometer' })),
    registrations: new Map(campaign.tiles.map((t, i) => [i, bdvTileTransforms(positions.get(t.id)!, vs)])),
    imageLoader: { zarr: relative(dirname(xml), container) || '.', relative: true, groups: campaign.tiles.map((t, i) => ({ setup: i, path: groups.get(t.id)! })) },
  };
  await writeFileAtomic(xml, formatSpimDataXml(doc));
  return { xml, images: container, positionsSource: source };
}

import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { StitchgraphError } from '../errors.js';
import { writeFileAtomic } from '../files/write-atomic.js';
import { encode } from 'fast-png';
import { contrastScale } from '../imageio/write-png.js';
import { openCampaign, type StitchedCampaign } from '../stitch/open-campaign.js';
import type { Study } from './load-study.js';
import { queryStudy, type QueryResult, type QueryValue } from './query-study.js';
import { rowIdColumn, rowLocator, type RowRegion } from './_row-region.js';
import { sliceWindow } from './_gallery-slice.js';
import { galleryPage, type GalleryEntry } from './_gallery-page.js';
import { markObject } from './_mark-object.js';

export interface GalleryOptions {
  /** Refuse queries with more rows than this (checked before any image is made). @default 1000 */
  maxRows?: number;
  /** Smallest edge (pixels) of an image; small slices are enlarged by whole factors. @default 192 */
  minPixels?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GalleryResult {
  /** One entry per image, in row order. */
  entries: GalleryEntry[];
  /** index.html */
  index: string;
}

interface PlannedRow {
  row: number;
  sample: string;
  region: RowRegion;
  entry: GalleryEntry;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** Check the result can be drawn and name each image, before any view is made. */
function planRows(study: Study, sql: string, r: QueryResult, maxRows: number): PlannedRow[] {
  const fail = (why: string) => new StitchgraphError('InputError', `Cannot make a gallery: ${why}`, { details: { study: study.file, sql } });
  const sampleCol = r.columns.indexOf('sample');
  if (sampleCol < 0) throw fail(`the query's rows carry no "sample" column (columns: ${r.columns.join(', ')})`);
  const locate = rowLocator(r.columns);
  if (!locate) throw fail('the rows carry no position: select bbox_z0 … bbox_x1, centroid_z/y/x, src_z_vox … dst_x_vox or z, y, x (the components, branches and nodes tables have them)');
  if (r.rows.length > maxRows) throw fail(`the query returns ${r.rows.length} rows, more than ${maxRows}; add a LIMIT or raise --max-rows`);
  const ids = new Set(study.samples.map((s) => s.id));
  const idCol = rowIdColumn(r.columns);
  return r.rows.flatMap((row, i) => {
    const sample = String(row[sampleCol]);
    if (!ids.has(sample)) throw fail(`row ${i + 1} names sample "${sample}", which is not in ${study.file}`);
    const region = locate(row);
    if (!region) return [];
    const title = idCol ? `${idCol} ${String(row[r.columns.indexOf(idCol)])}` : `row ${i + 1}`;
    const file = `${String(i + 1).padStart(4, '0')}_${safe(sample)}_${safe(title.replace(' ', '-'))}.png`;
    const fields = r.columns.map((c, k): [string, QueryValue] => [c, row[k]]);
    return [{ row: i, sample, region, entry: { file, sample, title, fields } }];
  });
}

/** Enlarge a plane by a whole factor (nearest), so small objects are visible. */
function enlarge(pixels: Uint8Array, w: number, h: number, k: number): Uint8Array {
  if (k === 1) return pixels;
  const out = new Uint8Array(w * k * h * k);
  for (let y = 0; y < h * k; y++) for (let x = 0; x < w * k; x++) out[y * w * k + x] = pixels[Math.floor(y / k) * w + Math.floor(x / k)];
  return out;
}

async function drawRow(campaign: StitchedCampaign, p: PlannedRow, outDir: string, minPixels: number): Promise<void> {
  const volume = await campaign.stitchedVolume();
  const win = sliceWindow(p.region, volume.origin, volume.shape);
  const view = await campaign.getView(win.start, win.size);
  const [, h, w] = win.size;
  const k = Math.max(1, Math.floor(minPixels / Math.max(h, w)));
  // The object's (y, x) extent in enlarged image pixels (a voxel covers k pixels; mark its centre).
  const toImage = (v: number, a: 1 | 2) => (v + volume.origin[a] - win.start[a] + 0.5) * k;
  const mark = { lo: [toImage(p.region.lo[1], 1), toImage(p.region.lo[2], 2)] as [number, number], hi: [toImage(p.region.hi[1], 1), toImage(p.region.hi[2], 2)] as [number, number] };
  const rgb = markObject(enlarge(contrastScale(view.data), w, h, k), w * k, h * k, mark);
  await writeFileAtomic(join(outDir, p.entry.file), encode({ width: w * k, height: h * k, data: rgb, channels: 3, depth: 8 }));
}

/**
 * `stitchgraph gallery`: one PNG per result row that carries a sample and a position or bounding
 * box — the plane through the object's centre, framing it, contrast-scaled, the object outlined,
 * from `getView` of the sample's stitched volume — and `index.html` showing them with their ids and columns.
 */
export async function galleryStudy(study: Study, sql: string, outDir: string, opts: GalleryOptions = {}): Promise<GalleryResult> {
  const { maxRows = 1000, minPixels = 192 } = opts;
  const result = await queryStudy(study, sql);
  const planned = planRows(study, sql, result, maxRows);
  const campaigns = new Map<string, StitchedCampaign>();
  await mkdir(outDir, { recursive: true });
  for (const [i, p] of planned.entries()) {
    let campaign = campaigns.get(p.sample);
    if (!campaign) {
      campaign = await openCampaign(study.samples.find((s) => s.id === p.sample)!.campaign);
      campaigns.set(p.sample, campaign);
    }
    await drawRow(campaign, p, outDir, minPixels);
    opts.onProgress?.(i + 1, planned.length);
  }
  const entries = planned.map((p) => p.entry);
  const index = join(outDir, 'index.html');
  await writeFileAtomic(index, galleryPage(`${study.name}: ${entries.length} views`, sql, entries));
  return { entries, index };
}

import type { Box3, Vec3 } from '../geometry/box.js';
import { openBlockSource, type BlockSourceSpec } from './block-source.js';
import { analyzeBlockData, haloBox, type BlockResult, type SegmentParams } from './analyze-block.js';
import { gaussianFilter, gaussianRadius } from './gaussian-filter.js';
import { accumulateHistogram } from './histogram-threshold.js';
import type { Connectivity } from './label-components.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { AnalyzeBlockPayloadSchema } from './analyze-block-payload.js';

/** Descriptor of one `analyze-block` job (JSON: a worker reads the voxels itself). */
export interface AnalyzeBlockPayload {
  phase: 'range' | 'histogram' | 'analyze';
  source: BlockSourceSpec;
  volumeShape: Vec3;
  core: Box3;
  smooth_sigma: number;
  lo?: number;
  hi?: number;
  bins?: number;
  segment?: SegmentParams;
  halo?: number;
  connectivity?: Connectivity;
  voxelSize?: Vec3;
  noSkeleton?: boolean;
  /** Version of the block tables (results saved by older versions lack fields and are recomputed). */
  tables_version?: number;
  /**
   * Value that marks "no data" (a stitched volume's fill value where no tile reaches): left out of
   * the range and histogram, so that empty corners do not drag Otsu or percentiles towards it.
   */
  ignore_value?: number;
  /** When set, the result is also written here as `{ key, value }` (resume after a crash). */
  resultPath?: string;
  resultKey?: string;
}

/** Values of the core after the pre-filter (read with the smoothing halo). */
async function smoothedCore(p: AnalyzeBlockPayload): Promise<ArrayLike<number>> {
  const src = await openBlockSource(p.source);
  const r = gaussianRadius(p.smooth_sigma);
  if (r === 0) return src.read(p.core);
  const read = haloBox(p.core, r, p.volumeShape);
  const vals = gaussianFilter(await src.read(read), read.size, p.smooth_sigma);
  const [cd, ch, cw] = p.core.size;
  const out = new Float32Array(cd * ch * cw);
  const oz = p.core.start[0] - read.start[0], oy = p.core.start[1] - read.start[1], ox = p.core.start[2] - read.start[2];
  for (let z = 0, o = 0; z < cd; z++)
    for (let y = 0; y < ch; y++) {
      const b = ((z + oz) * read.size[1] + y + oy) * read.size[2] + ox;
      out.set(vals.subarray(b, b + cw), o);
      o += cw;
    }
  return out;
}

/** The `analyze-block` job handler. */
export async function runAnalyzeBlockJob(payload: unknown): Promise<unknown> {
  // The schema checks the descriptor's shape; each phase reads its own optional parameters.
  const p = parseJobPayload('analyze-block', AnalyzeBlockPayloadSchema, payload) as AnalyzeBlockPayload;
  const value = await computeBlock(p);
  if (p.resultPath) await writeJsonAtomic(p.resultPath, { key: p.resultKey, value });
  return value;
}

async function computeBlock(p: AnalyzeBlockPayload): Promise<unknown> {
  if (p.phase === 'range') {
    const v = withoutIgnored(await smoothedCore(p), p.ignore_value);
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Number.isNaN(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return { min, max };
  }
  if (p.phase === 'histogram') {
    const v = withoutIgnored(await smoothedCore(p), p.ignore_value);
    const counts = new Float64Array(p.bins!);
    accumulateHistogram(v, p.lo!, p.hi!, counts);
    return Array.from(counts);
  }
  const src = await openBlockSource(p.source);
  const read = haloBox(p.core, p.halo!, p.volumeShape);
  const data = await src.read(read);
  const res: BlockResult = analyzeBlockData(data, read, p.core, p.volumeShape, p.segment!, { connectivity: p.connectivity!, voxelSize: p.voxelSize!, noSkeleton: p.noSkeleton });
  return res;
}

/** The values with `ignore` replaced by NaN (which range and histogram skip). */
function withoutIgnored(v: ArrayLike<number>, ignore: number | undefined): ArrayLike<number> {
  if (ignore === undefined) return v;
  const out = Float32Array.from(v);
  for (let i = 0; i < out.length; i++) if (out[i] === ignore) out[i] = NaN;
  return out;
}

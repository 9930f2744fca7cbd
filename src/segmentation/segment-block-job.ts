/**
 * The `segment-block` job: one block of a segmentation, run by any executor (in-process, worker
 * threads, NATS workers). The payload names the source, the model file and the output mask array;
 * a worker reads the voxels and the model itself and writes the block's chunk of the mask.
 */
import type { Box3, Vec3 } from '../geometry/box.js';
import { openBlockSource, type BlockSourceSpec } from '../analysis/block-source.js';
import { accumulateHistogram } from '../analysis/histogram-threshold.js';
import { ZarrV2Array } from '../imageio/zarr-v2-array.js';
import { readClassifierModel } from './classifier-model-file.js';
import { blockResponse, growBox, responseHalo, segmentBlock, segmentReadBox, type MaskParams, type ResponseParams } from './segment-block.js';
import type { PixelClassifier } from './pixel-classifier.js';
import { parseJobPayload } from '../distributed/parse-job-payload.js';
import { SegmentBlockPayloadSchema } from './segment-block-payload.js';

export interface SegmentBlockPayload {
  /** range / histogram: of the response on the core (for Otsu and percentiles); segment: write the mask. */
  phase: 'range' | 'histogram' | 'segment';
  source: BlockSourceSpec;
  volumeShape: Vec3;
  voxelSize: Vec3;
  core: Box3;
  response: ResponseParams;
  /** The classifier model file (method classifier). */
  modelPath?: string;
  /** Value that marks "no data": left out of range and histogram. */
  ignore_value?: number;
  lo?: number;
  hi?: number;
  bins?: number;
  /** segment: the mask parameters and the uint8 Zarr v2 array (chunks = block) to write. */
  mask?: MaskParams;
  outArray?: string;
}

async function classifierOf(p: SegmentBlockPayload): Promise<PixelClassifier | undefined> {
  return p.response.method === 'classifier' ? readClassifierModel(p.modelPath!) : undefined;
}

/** Response of the core, with the "no data" voxels as NaN (range and histogram skip them). */
async function coreResponse(p: SegmentBlockPayload): Promise<Float32Array> {
  const src = await openBlockSource(p.source);
  const classifier = await classifierOf(p);
  const read = growBox(p.core, responseHalo(p.response, p.voxelSize, classifier), p.volumeShape);
  const data = await src.read(read);
  const r = blockResponse(data, read, p.core, p.response, p.voxelSize, classifier);
  if (p.ignore_value !== undefined) {
    const raw = await src.read(p.core);
    for (let i = 0; i < r.length; i++) if (raw[i] === p.ignore_value) r[i] = NaN;
  }
  return r;
}

/** The `segment-block` job handler. */
export async function runSegmentBlockJob(payload: unknown): Promise<unknown> {
  const p = parseJobPayload('segment-block', SegmentBlockPayloadSchema, payload) as SegmentBlockPayload;
  if (p.phase === 'range') {
    const v = await coreResponse(p);
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return { min, max };
  }
  if (p.phase === 'histogram') {
    const counts = new Float64Array(p.bins!);
    accumulateHistogram(await coreResponse(p), p.lo!, p.hi!, counts);
    return Array.from(counts);
  }
  const src = await openBlockSource(p.source);
  const classifier = await classifierOf(p);
  const read = segmentReadBox(p.core, p.mask!, p.voxelSize, p.volumeShape, classifier);
  const mask = segmentBlock(await src.read(read), read, p.core, p.volumeShape, p.mask!, p.voxelSize, classifier);
  const out = await ZarrV2Array.open(p.outArray!);
  await out.writeBlock(p.core.start, p.core.size, mask);
  let foreground = 0;
  for (let i = 0; i < mask.length; i++) foreground += mask[i];
  return { foreground };
}

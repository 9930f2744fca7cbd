import { describe, it, expect } from 'vitest';
import { parseJobPayload } from '../../src/distributed/parse-job-payload.js';
import { SegmentBlockPayloadSchema } from '../../src/segmentation/segment-block-payload.js';
import { runSegmentBlockJob } from '../../src/segmentation/segment-block-job.js';
import { isStitchgraphError } from '../../src/errors.js';

const base = {
  phase: 'range',
  source: { kind: 'tiff', file: '/data/v.tif' },
  volumeShape: [10, 20, 30],
  voxelSize: [1, 0.5, 0.5],
  core: { start: [0, 0, 0], size: [10, 20, 30] },
  response: { method: 'vesselness', sigmas_um: [1] },
};

describe('segment-block payload', () => {
  it('accepts what the coordinator sends, extra fields passing through', () => {
    const p = parseJobPayload('segment-block', SegmentBlockPayloadSchema, { ...base, later: 1 });
    expect(p.phase).toBe('range');
    expect((p as { later?: number }).later).toBe(1);
  });

  it('names the missing or wrong fields, on the worker too, before any read', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, response: { method: 'classifier' } }, /modelPath: the classifier method needs the model file/],
      [{ ...base, phase: 'segment' }, /mask: the segment phase needs mask and outArray/],
      [{ ...base, phase: 'histogram', bins: 10 }, /bins: the histogram phase needs bins, lo and hi/],
      [{ ...base, voxelSize: [1, 0, 1] }, /voxelSize\.1/],
      [{ ...base, source: { kind: 'ftp', url: 'x' } }, /source/],
    ];
    for (const [payload, re] of cases) {
      const err = await runSegmentBlockJob(payload).catch((e: unknown) => e);
      expect(isStitchgraphError(err, 'InputError'), String(err)).toBe(true);
      expect((err as Error).message).toMatch(/Cannot run a segment-block job: invalid payload/);
      expect((err as Error).message).toMatch(re);
    }
  });
});

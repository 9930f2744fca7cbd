import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Box3, Vec3 } from '../../src/geometry/box.js';
import { startNatsServer, type NatsTestServer } from '../distributed/nats-server.js';
import { runCli } from '../helpers/run-cli.js';
import { renderUnevenPhantom } from '../../src/synth/render-uneven-phantom.js';
import { writeTiffStack } from '../../src/imageio/write-tiff.js';
import { labelledSamples, PixelClassifier } from '../../src/segmentation/pixel-classifier.js';
import { writeClassifierModel } from '../../src/segmentation/classifier-model-file.js';
import { segmentVolume } from '../../src/segmentation/segment-volume.js';
import { openVolumeInput } from '../../src/segmentation/open-volume-input.js';
import { AnalysisSettingsSchema } from '../../src/campaign/sections/analysis.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { readMask, sparseLabels } from './_volumes.js';

const root = resolve(import.meta.dirname, '..', '..');

/** A `stitchgraph worker` process (another process: it reads the TIFF and the model file itself). */
async function spawnWorker(url: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--log-level', 'warn', 'worker', '--servers', url, '--id', 'seg-worker'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((res, rej) => {
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(': ready')) res();
    });
    proc.once('exit', (code) => rej(new Error(`worker exited (${code}) before it was ready:\n${err}`)));
  });
  return proc;
}

describe('classifier segmentation on NATS workers', () => {
  let server: NatsTestServer;
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
    worker = await spawnWorker(server.url);
  }, 60_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGTERM');
    await server?.stop();
  });

  it('jobs carry the model file path: a worker process gives the mask of the in-process run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-seg-nats-'));
    const shape: Vec3 = [32, 48, 48];
    const ph = renderUnevenPhantom({ shape, seed: 9 });
    await writeTiffStack(join(dir, 'vol.tif'), ph.image, shape, 'float32');
    const whole: Box3 = { start: [0, 0, 0], size: shape };
    const sigmas = [0.7, 1.6, 3.5];
    const model = PixelClassifier.train(labelledSamples(ph.image, whole, whole, sparseLabels(ph.mask, 0.005, 2), sigmas, [1, 1, 1]), sigmas, [1, 1, 1], { trees: 16 });
    await writeClassifierModel(join(dir, 'model.json'), model);

    const out = join(dir, 'net');
    const r = await runCli(['analyze', '--input', join(dir, 'vol.tif'), '--model', join(dir, 'model.json'), '--min-size', '10', '--out', out, '--servers', server.url, '--workers', '0'], { timeoutMs: 240_000 });
    expect(r.stderr).not.toMatch(/stitchgraph: /);
    expect(r.code).toBe(0);

    const settings = AnalysisSettingsSchema.parse({ segmentation: { method: 'classifier' } });
    await segmentVolume(await openVolumeInput(join(dir, 'vol.tif'), 'test'), settings, [1, 1, 1], new InlineExecutor(), { maskStore: join(dir, 'inline.ome.zarr'), model: join(dir, 'model.json') });
    const viaNats = await readMask(join(out, 'segmentation.ome.zarr'), shape);
    expect(viaNats.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    expect(Buffer.from(viaNats).equals(Buffer.from(await readMask(join(dir, 'inline.ome.zarr'), shape)))).toBe(true);
  }, 300_000);
});

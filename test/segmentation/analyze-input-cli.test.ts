import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { renderUnevenPhantom } from '../../src/synth/render-uneven-phantom.js';
import { seededRandom } from '../../src/segmentation/_grow-tree.js';
import { writeTiffStack } from '../../src/imageio/write-tiff.js';
import type { Vec3 } from '../../src/geometry/box.js';

const PYTHON = '/usr/bin/python3';

/** Dice of the mask zarr-python reads from `store` against the truth saved as raw bytes. */
function diceWithZarrPython(store: string, truthFile: string, shape: Vec3): { dice: number; dtype: string; values: number[]; shape: number[] } {
  const code = `
import json, sys, zarr, numpy as np
g = zarr.open_group(sys.argv[1], mode='r')
assert g.attrs['multiscales'][0]['datasets'][0]['path'] == '0'
m = g['0'][:]
t = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(${JSON.stringify(shape)}).astype(bool)
p = m.astype(bool)
print(json.dumps({'dice': float(2 * (p & t).sum() / (p.sum() + t.sum())), 'dtype': str(m.dtype), 'values': sorted(int(v) for v in np.unique(m)), 'shape': list(m.shape)}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', code, store, truthFile]).toString()) as { dice: number; dtype: string; values: number[]; shape: number[] };
}

describe('stitchgraph analyze --input (no campaign)', () => {
  it('trains a classifier from sparse TIFF labels, writes the network, the OME-Zarr mask and the model, then reapplies the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-seg-cli-'));
    const shape: Vec3 = [48, 64, 64];
    const ph = renderUnevenPhantom({ shape, seed: 5 });
    const img = new Uint16Array(ph.image.length);
    for (let i = 0; i < img.length; i++) img[i] = Math.max(0, Math.round(ph.image[i] * 1000));
    const rand = seededRandom(3);
    const labels = new Uint8Array(ph.mask.length);
    for (let i = 0; i < labels.length; i++) if (rand() < 0.004) labels[i] = ph.mask[i] ? 2 : 1;
    await writeTiffStack(join(dir, 'vol.tif'), img, shape, 'uint16');
    await writeTiffStack(join(dir, 'labels.tif'), labels, shape, 'uint8');
    writeFileSync(join(dir, 'truth.raw'), ph.mask);

    const out = join(dir, 'net');
    const r = await runCli(['analyze', '--input', join(dir, 'vol.tif'), '--voxel-size', '1,1,1', '--segmentation', 'classifier', '--labels', join(dir, 'labels.tif'), '--min-size', '20', '--out', out, '--workers', '1'], { timeoutMs: 240_000 });
    expect(r.stderr).not.toMatch(/stitchgraph: /);
    expect(r.code).toBe(0);
    for (const f of ['branches.csv', 'nodes.csv', 'components.csv', 'summary.json', 'classifier.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(r.stdout + r.stderr).toContain('classifier.json');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { parameters: { segmentation: { method: string } }; n_branches: number };
    expect(summary.parameters.segmentation.method).toBe('classifier');
    expect(summary.n_branches).toBeGreaterThan(0);
    const m = diceWithZarrPython(join(out, 'segmentation.ome.zarr'), join(dir, 'truth.raw'), shape);
    expect(m.dtype).toBe('uint8');
    expect(m.shape).toEqual(shape);
    expect(m.values).toEqual([0, 1]);
    expect(m.dice).toBeGreaterThan(0.85);

    // The saved model segments the same volume again without labels: the same mask.
    const out2 = join(dir, 'net2');
    const r2 = await runCli(['analyze', '--input', join(dir, 'vol.tif'), '--model', join(out, 'classifier.json'), '--out', out2, '--workers', '1'], { timeoutMs: 240_000 });
    expect(r2.code).toBe(0);
    expect(diceWithZarrPython(join(out2, 'segmentation.ome.zarr'), join(dir, 'truth.raw'), shape).dice).toBeCloseTo(m.dice, 6);
  }, 400_000);

  it('fails with one clear line on a bad method and on --labels with --model', async () => {
    const r = await runCli(['analyze', '--input', 'x.tif', '--segmentation', 'magic', '--out', '/tmp/none']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/stitchgraph: .*segmentation/);
    const r2 = await runCli(['analyze', '--input', 'x.tif', '--labels', 'l.tif', '--model', 'm.json']);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/not both/);
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './helpers/run-cli.js';
import { sharedDataSet } from './helpers/shared-data.js';
import { mean, writeGreyPng } from './helpers/mosaic-fixture.js';
import { openCampaign } from '../src/campaign/open-campaign.js';
import { openStitchedVolume } from '../src/stitch/open-stitched-volume.js';
import { readPositionsFile } from '../src/formats/positions.js';

/**
 * The README's examples, run as written (issue 15, failure 7): in a fresh folder with the
 * workspace's ../shared beside it, where `npx stitchgraph` is this checkout's CLI.
 */
const README = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The first ```sh block after a heading. */
function shBlock(heading: string): string {
  const at = README.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const m = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  return m![1];
}

function sh(script: string, cwd: string, bin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STITCHGRAPH_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let ws = '', bin = '';

beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'sg-readme-'));
  // The recipes read ../shared/data relative to where they run, as in the workspace.
  symlinkSync(dirname(dirname(sharedDataSet('real-2d-mosaic'))), join(root, 'shared'));
  ws = join(root, 'ws');
  bin = join(root, 'bin');
  mkdirSync(ws);
  mkdirSync(bin);
  const loader = join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\nif [ "$1" = stitchgraph ]; then shift; exec "${process.execPath}" --import "${loader}" "${join(repoRoot, 'src', 'cli', 'main.ts')}" "$@"; fi\necho "npx $1: not part of this test" >&2; exit 127\n`);
  chmodSync(join(bin, 'npx'), 0o755);
});

describe('README examples, run as written in a fresh folder', () => {
  it('quick start: `npx stitchgraph run` writes the demo under the current directory, and the rerun has nothing to do', async () => {
    const quick = shBlock('## Quick start').split('\n').find((l) => l.includes('npx stitchgraph run'))!;
    const cmd = quick.replace(/^npm ci && /, '').replace(/#.*$/, '').trim();
    expect(cmd).toBe('npx stitchgraph run');
    const r = await sh(`${cmd} --log-level warn`, ws, bin);
    expect(r.stderr).not.toMatch(/stitchgraph: /);
    expect(r.code).toBe(0);
    for (const f of ['out/demo/demo.yaml', 'out/demo/demo.zarr/zarr.json', 'out/demo/truth.json', 'out/demo/work/pairs.json', 'out/demo/work/report.html']) expect(existsSync(join(ws, f)), f).toBe(true);
    expect(r.stdout).toContain(join(ws, 'out', 'demo', 'work'));
    const again = shBlock('## Running a whole campaign').split('\n')[0].replace(/#.*$/, '').trim();
    expect(again).toBe('npx stitchgraph run out/demo/demo.yaml');
    const r2 = await sh(again, ws, bin);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('Nothing to do: every stage is up to date.');
  }, 600_000);

  it('the mosaic recipe writes where it says and stitches the real 2-D mosaic within its truth, each tile as bright as it was', async () => {
    const r = await sh(shBlock('## Importing'), ws, bin);
    expect(r.stderr).not.toMatch(/stitchgraph: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(ws, 'out', 'mosaic', 'mosaic-work', 'report.html'));
    expect(existsSync(join(ws, 'out', 'mosaic', 'out'))).toBe(false);
    const wd = join(ws, 'out', 'mosaic', 'mosaic-work');
    const positions = await readPositionsFile(join(wd, 'positions.json'));
    const t0 = positions.tiles.tile0.position, t1 = positions.tiles.tile1.position;
    // ../shared/data/real-2d-mosaic/README.md: shift(tile0 → tile1) ≈ (y, x) = (−2.3, 832 − 6.9) ± 1.4 px.
    expect(Math.abs(t1[1] - t0[1] - -2.3)).toBeLessThanOrEqual(1.4);
    expect(Math.abs(t1[2] - t0[2] - (832 - 6.9))).toBeLessThanOrEqual(1.4);

    // Look at it: the stitched mosaic as a PNG, and each tile's mean there against the raw tile's.
    const campaign = await openCampaign(join(ws, 'out', 'mosaic', 'mosaic.yaml'));
    const volume = await openStitchedVolume(campaign, join(wd, 'positions.json'));
    const view = await volume.getView(volume.origin, volume.shape);
    const [, h, w] = volume.shape;
    let hi = 0;
    for (const v of view.data) if (v > hi) hi = v;
    writeGreyPng(join(wd, 'mosaic.png'), Array.from(view.data, (v) => (255 * v) / hi), h, w);
    expect(readFileSync(join(wd, 'mosaic.png')).subarray(1, 4).toString()).toBe('PNG');
    for (const t of volume.tiles) {
      // The tile's part nobody else covers: 100 px in from the seam side.
      const [, th, tw] = t.info.shape;
      const x0 = t.info.id === 'tile0' ? 0 : 100, x1 = t.info.id === 'tile0' ? tw - 100 : tw;
      const raw = await (await campaign.openTile(t.info.id)).readRegion({ start: [0, 0, x0], size: [1, th, x1 - x0] });
      const gy = Math.round(t.position[1]) - volume.origin[1], gx = Math.round(t.position[2]) - volume.origin[2];
      const stitched: number[] = [];
      for (let y = Math.max(0, gy); y < Math.min(h, gy + th); y++) for (let x = gx + x0; x < gx + x1; x++) stitched.push(view.data[y * w + x]);
      expect(Math.abs(mean(stitched) / mean(raw.data as ArrayLike<number>) - 1), t.info.id).toBeLessThan(0.02);
    }
  }, 300_000);
});

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Vec3 } from '../../src/geometry/box.js';
import { synthCampaign, type SynthResult } from '../../src/synth/synth-campaign.js';
import { writePairsFile, type PairRecord } from '../../src/formats/pairs.js';
import { readPositionsFile } from '../../src/formats/positions.js';
import { optimizeCampaign as runOptimize } from '../../src/graph/optimize-campaign.js';
import { parseTileConfiguration } from '../../src/fiji/parse-tile-configuration.js';
import { formatTileConfiguration } from '../../src/fiji/format-tile-configuration.js';

const repo = join(import.meta.dirname, '..', '..');
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, STITCHGRAPH_LOG_LEVEL: 'error' } });
}

/** pairs.json from the truth (registration is another stage): face neighbours, exact shifts; one pair rejected. */
function pairsFromTruth(res: SynthResult): PairRecord[] {
  const pos = (id: string) => res.truth.tiles[id].position;
  const pairs: PairRecord[] = [];
  for (const a of Object.keys(res.truth.tiles)) {
    const [z, y, x] = a.split('_').slice(1).map(Number);
    for (const b of [`t_${z + 1}_${y}_${x}`, `t_${z}_${y + 1}_${x}`, `t_${z}_${y}_${x + 1}`]) {
      if (!res.truth.tiles[b]) continue;
      pairs.push({ a, b, shift: [0, 1, 2].map((k) => pos(b)[k] - pos(a)[k]) as Vec3, correlation: 0.9, status: 'ok' });
    }
  }
  pairs[pairs.length - 1] = { ...pairs[pairs.length - 1], status: 'rejected', reason: 'test', correlation: 0.05 };
  return pairs;
}

describe('stitchgraph optimize (end to end on a synthetic campaign)', () => {
  let res: SynthResult;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-opt-'));
    res = await synthCampaign({ outDir: dir, name: 'opt', grid: [2, 2, 3], tileShape: [12, 24, 24], integerPositions: true, seed: 4 });
    await writePairsFile(join(dir, 'out', 'pairs.json'), { pairs: pairsFromTruth(res) });
  });

  it('writes positions.json equal to the truth relative to the first tile, and a Fiji configuration', async () => {
    const out = await runOptimize(res.configPath);
    expect(out.positionsPath).toBe(join(dir, 'out', 'positions.json'));
    const file = await readPositionsFile(out.positionsPath);
    const truth = res.truth.tiles;
    const first = file.tiles.t_0_0_0.position;
    expect(first).toEqual(truth.t_0_0_0.nominal);
    for (const id of Object.keys(truth)) {
      for (let k = 0; k < 3; k++) expect(file.tiles[id].position[k] - first[k]).toBeCloseTo(truth[id].position[k] - truth.t_0_0_0.position[k], 5);
      expect(file.tiles[id].group).toBe(0);
    }
    expect(file.residuals).toMatchObject({ dropped: [] });
    expect((file.summary as { links: number }).links).toBe(19);
    expect(out.report).toMatch(/12 tiles, 19 measured links \(1 rejected pairs\), 0 dropped/);
    // Fiji round trip: x, y, z order in the file, (z, y, x) once parsed.
    const text = readFileSync(out.fijiPath, 'utf8');
    expect(text).toMatch(/^dim = 3$/m);
    const p = file.tiles.t_1_1_2.position;
    expect(text).toContain(`t_1_1_2; ; (${p[2]}, ${p[1]}, ${p[0]})`);
    const fiji = parseTileConfiguration(text);
    expect(fiji.entries).toHaveLength(12);
    for (const e of fiji.entries) expect(e.position).toEqual(file.tiles[e.file].position);
  });

  it('takes nominal positions from a Fiji TileConfiguration.txt (--fiji-tiles)', async () => {
    // Fiji's file names, positions moved by +100 in x: the result moves with them.
    const entries = Object.entries(res.truth.tiles).map(([id, t]) => ({ file: `${id}.tif`, position: [t.nominal[0], t.nominal[1], t.nominal[2] + 100] as Vec3 }));
    const path = join(dir, 'TileConfiguration.txt');
    writeFileSync(path, formatTileConfiguration({ dim: 3, entries }));
    const out = await runOptimize(res.configPath, { fijiTiles: path, fijiOut: join(dir, 'fiji.registered.txt') });
    expect(out.positions.tiles.t_0_0_0.position).toEqual(entries[0].position);
    expect(out.positions.nominal_source).toBe(path);
    expect(readFileSync(join(dir, 'fiji.registered.txt'), 'utf8')).toContain('t_0_0_0.tif; ; (');
  });

  it('runs from the command line and fails clearly without pairs.json or with an unknown tile', () => {
    const ok = cli('optimize', res.configPath);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/residual over 19 kept links/);
    const pairsPath = join(dir, 'out', 'pairs.json');
    const saved = readFileSync(pairsPath, 'utf8');
    rmSync(pairsPath);
    const missing = cli('optimize', res.configPath);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/pairs\.json.*stitchgraph register/);
    const bad = JSON.parse(saved) as { pairs: PairRecord[] };
    bad.pairs[0].b = 't_7_7_7';
    writeFileSync(pairsPath, JSON.stringify(bad));
    const unknown = cli('optimize', res.configPath);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/t_7_7_7/);
    writeFileSync(pairsPath, saved);
    expect(existsSync(join(dir, 'out', 'positions.json'))).toBe(true);
  });
});


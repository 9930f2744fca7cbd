import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaignConfig } from '../../src/campaign/load-config.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { isStitchgraphError } from '../../src/errors.js';
import { createArray, writeRegion } from '../../src/zarrio/write-array.js';

function expectConfigError(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(isStitchgraphError(err, 'ConfigError')).toBe(true);
    for (const p of parts) expect((err as Error).message).toContain(p);
    return;
  }
  throw new Error('expected a ConfigError');
}

const base = `store: ./s.zarr\nworkdir: ./out\ntiles:\n  - { id: a, array: tiles/a, position: [0, 0, 0] }\n`;

describe('campaign config', () => {
  it('fills every default and makes paths absolute', () => {
    const { config } = parseCampaignConfig(base, '/data/c/brain.yaml');
    expect(config.campaign).toBe('brain');
    expect(config.store).toBe('/data/c/s.zarr');
    expect(config.workdir).toBe('/data/c/out');
    expect(config.voxel_size).toEqual([1, 1, 1]);
    expect(config.registration.downsample).toEqual([1, 2, 2]);
    expect(config.registration.min_correlation).toBe(0.3);
    expect(config.fusion.blend).toBe('cosine');
    expect(config.distributed.mode).toBe('local');
  });

  it('names an unknown key with its path and line', () => {
    const text = base + 'registration:\n  downsample: [1, 2, 2]\n  peeks: 4\n';
    expectConfigError(() => parseCampaignConfig(text, '/x/c.yaml'), 'registration.peeks', 'unknown key', 'c.yaml:7');
  });

  it('names a top-level unknown key', () => {
    expectConfigError(() => parseCampaignConfig(base + 'stor: x\n', '/x/c.yaml'), 'stor', 'unknown key');
  });

  it('names a wrong type with its path', () => {
    const text = `store: ./s.zarr\nworkdir: ./out\ntiles:\n  - { id: a, array: tiles/a, position: [0, zero, 0] }\n`;
    expectConfigError(() => parseCampaignConfig(text, '/x/c.yaml'), 'tiles[0].position[1]', 'c.yaml:4');
  });

  it('rejects duplicate tile ids naming both', () => {
    const text = base + '  - { id: a, array: tiles/b, position: [0, 0, 9] }\n';
    expectConfigError(() => parseCampaignConfig(text, '/x/c.yaml'), 'tiles[1].id', 'duplicate tile id "a"');
  });

  it('needs tiles or grid, and not both', () => {
    expectConfigError(() => parseCampaignConfig('store: s\nworkdir: o\n', '/x/c.yaml'), 'tiles');
    const both = base + 'grid: { tiles: [1, 1, 2], overlap: 0.1, array: "t/{x}" }\n';
    expectConfigError(() => parseCampaignConfig(both, '/x/c.yaml'), 'grid', 'not both');
  });

  it('reports YAML syntax errors with the line', () => {
    expectConfigError(() => parseCampaignConfig('store: s\nworkdir: [o\n', '/x/c.yaml'), 'c.yaml:');
  });

  it('validates the distributed section by mode', () => {
    const nats = parseCampaignConfig(base + 'distributed: { mode: nats, servers: nats://127.0.0.1:4222 }\n', '/x/c.yaml');
    expect(nats.config.distributed.mode).toBe('nats');
    expectConfigError(() => parseCampaignConfig(base + 'distributed: { mode: nats }\n', '/x/c.yaml'), 'distributed.servers');
  });
});

describe('openCampaign', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-cfg-'));
    const store = join(dir, 's.zarr');
    for (const [name, shape] of [['t_0_0_0', [4, 10, 12]], ['t_0_0_1', [4, 10, 12]], ['flat', [10, 12]]] as const) {
      const arr = await createArray(store, `tiles/${name}`, { shape: [...shape], chunks: shape.map((s) => Math.min(s, 8)), dtype: 'uint16' });
      await writeRegion(arr, shape.map(() => 0), [...shape], new Uint16Array(shape.reduce((a, b) => a * b, 1)));
    }
  });

  it('expands a grid with nominal positions from tile shape and overlap', async () => {
    const file = join(dir, 'grid.yaml');
    writeFileSync(file, `store: ./s.zarr\nworkdir: ./out\ngrid: { tiles: [1, 1, 2], overlap: 0.25, array: "tiles/t_{z}_{y}_{x}" }\n`);
    const c = await openCampaign(file);
    expect(c.tiles.map((t) => t.id)).toEqual(['t_0_0_0', 't_0_0_1']);
    expect(c.tiles[1].nominal).toEqual([0, 0, 9]);
    expect(c.tiles[1].shape).toEqual([4, 10, 12]);
    expect(c.tiles[1].dtype).toBe('uint16');
  });

  it('treats a 2-D array as a one-plane tile', async () => {
    const file = join(dir, 'flat.yaml');
    writeFileSync(file, `store: ./s.zarr\nworkdir: ./out\ntiles:\n  - { id: f, array: tiles/flat, position: [0, 0, 0] }\n`);
    const c = await openCampaign(file);
    expect(c.tiles[0].shape).toEqual([1, 10, 12]);
    const t = await c.openTile('f');
    const r = await t.readRegion({ start: [0, 2, 3], size: [1, 4, 5] });
    expect(r.shape).toEqual([1, 4, 5]);
    expect(r.data.length).toBe(20);
  });

  it('names the tile and key of a missing array', async () => {
    const file = join(dir, 'missing.yaml');
    writeFileSync(file, `store: ./s.zarr\nworkdir: ./out\ntiles:\n  - { id: a, array: tiles/t_0_0_0, position: [0, 0, 0] }\n  - { id: b, array: tiles/nope, position: [0, 0, 9] }\n`);
    await expect(openCampaign(file)).rejects.toSatisfy((err: unknown) => isStitchgraphError(err, 'TileNotFound') && /tiles\/nope/.test((err as Error).message) && /tiles\[1\]\.array/.test((err as Error).message));
  });

  it('names a missing store', async () => {
    const file = join(dir, 'nostore.yaml');
    writeFileSync(file, `store: ./none.zarr\nworkdir: ./out\ntiles:\n  - { id: a, array: tiles/a, position: [0, 0, 0] }\n`);
    await expect(openCampaign(file)).rejects.toThrow(/store: no such directory/);
  });

  it('names a missing campaign file', async () => {
    await expect(openCampaign(join(dir, 'absent.yaml'))).rejects.toThrow(/absent\.yaml: no such file/);
  });
});

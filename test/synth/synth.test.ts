import { describe, it, expect } from 'vitest';
import { mkdtempSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { generateVesselNetwork, networkTruth } from '../../src/synth/vessel-network.js';
import { segmentSegmentDistance } from '../../src/synth/segment-distance.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { runCli } from '../helpers/run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-synth-'));

describe('vessel network', () => {
  it('is reproducible from its seed', () => {
    const a = generateVesselNetwork({ shape: [80, 80, 80], seed: 5 });
    const b = generateVesselNetwork({ shape: [80, 80, 80], seed: 5 });
    const c = generateVesselNetwork({ shape: [80, 80, 80], seed: 6 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('has tubes that touch only where they share a node, all inside the volume', () => {
    const net = generateVesselNetwork({ shape: [96, 96, 96], seed: 2 });
    expect(net.segments.length).toBeGreaterThan(20);
    for (let i = 0; i < net.segments.length; i++) {
      const s = net.segments[i];
      for (const n of [s.a, s.b]) {
        const p = net.nodes[n].pos;
        for (let ax = 0; ax < 3; ax++) {
          expect(p[ax]).toBeGreaterThanOrEqual(s.radius);
          expect(p[ax]).toBeLessThanOrEqual(95 - s.radius);
        }
      }
      for (let j = i + 1; j < net.segments.length; j++) {
        const t = net.segments[j];
        if (s.a === t.a || s.a === t.b || s.b === t.a || s.b === t.b) continue;
        const d = segmentSegmentDistance(net.nodes[s.a].pos, net.nodes[s.b].pos, net.nodes[t.a].pos, net.nodes[t.b].pos);
        expect(d).toBeGreaterThan(s.radius + t.radius);
      }
    }
    const truth = networkTruth(net);
    expect(truth.n_junctions).toBeGreaterThan(0);
    expect(truth.cyclomatic_number).toBe(0); // grown as trees
  });

  it('is flat in a one-plane volume', () => {
    const net = generateVesselNetwork({ shape: [1, 200, 200], seed: 1 });
    expect(net.segments.length).toBeGreaterThan(5);
    expect(net.nodes.every((n) => n.pos[0] === 0)).toBe(true);
  });
});

describe('synthCampaign', () => {
  it('writes a campaign whose tiles show the phantom at the true positions', async () => {
    const out = tmp();
    const res = await synthCampaign({ outDir: out, grid: [1, 2, 2], tileShape: [16, 40, 40], seed: 4, noise: 0, gainRange: [1, 1], integerPositions: true });
    const c = await openCampaign(res.configPath);
    expect(c.tiles).toHaveLength(4);
    for (const t of c.tiles) {
      const tr = res.truth.tiles[t.id];
      // Nominal is within the stage error of the truth.
      for (let a = 0; a < 3; a++) expect(Math.abs(t.nominal[a] - tr.position[a])).toBeLessThanOrEqual(6);
      const tile = await c.openTile(t.id);
      const r = await tile.readRegion({ start: [0, 0, 0], size: t.shape });
      const img = res.renderer.render(tr.position, t.shape);
      for (let o = 0; o < img.length; o += 97) {
        expect(r.data[o]).toBe(Math.max(1, Math.round(400 + 2000 * img[o])));
      }
    }
    // Neighbouring tiles show the same phantom voxels where they overlap.
    const a = res.truth.tiles['t_0_0_0'].position, b = res.truth.tiles['t_0_0_1'].position;
    const ta = await (await c.openTile('t_0_0_0')).readRegion({ start: [0, 0, 0], size: [16, 40, 40] });
    const tb = await (await c.openTile('t_0_0_1')).readRegion({ start: [0, 0, 0], size: [16, 40, 40] });
    const [dz, dy, dx] = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let compared = 0;
    for (let z = 0; z < 16; z++)
      for (let y = 0; y < 40; y++)
        for (let x = 0; x < 40; x++) {
          const zb = z - dz, yb = y - dy, xb = x - dx;
          if (zb < 0 || zb >= 16 || yb < 0 || yb >= 40 || xb < 0 || xb >= 40) continue;
          expect(ta.data[(z * 40 + y) * 40 + x]).toBe(tb.data[(zb * 40 + yb) * 40 + xb]);
          compared++;
        }
    expect(compared).toBeGreaterThan(100);
  });

  it('blanks the corners of cylindrical tiles and records it in the YAML', async () => {
    const out = tmp();
    const res = await synthCampaign({ outDir: out, grid: [1, 1, 2], tileShape: [4, 32, 32], seed: 1, fieldOfView: 'cylinder' });
    const c = await openCampaign(res.configPath);
    expect(c.tiles[0].fieldOfView).toBe('cylinder');
    const r = await (await c.openTile('t_0_0_0')).readRegion({ start: [0, 0, 0], size: [4, 32, 32] });
    expect(r.data[0]).toBe(0);
    expect(r.data[16 * 32 + 16]).toBeGreaterThan(0);
  });

  it('is reproducible: same seed, same bytes', async () => {
    const o1 = tmp(), o2 = tmp();
    const r1 = await synthCampaign({ outDir: o1, grid: [1, 1, 2], tileShape: [8, 24, 24], seed: 9 });
    const r2 = await synthCampaign({ outDir: o2, grid: [1, 1, 2], tileShape: [8, 24, 24], seed: 9 });
    expect(r1.truth).toEqual(r2.truth);
    const t1 = await (await openCampaign(r1.configPath)).openTile('t_0_0_1');
    const t2 = await (await openCampaign(r2.configPath)).openTile('t_0_0_1');
    const a = await t1.readRegion({ start: [0, 0, 0], size: [8, 24, 24] });
    const b = await t2.readRegion({ start: [0, 0, 0], size: [8, 24, 24] });
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });
});

describe('stitchgraph synth (CLI)', () => {
  it('writes the store, YAML and truth.json', async () => {
    const out = tmp();
    const r = await runCli(['synth', join(out, 'demo.yaml'), '--grid', '1,1,2', '--tile', '1,64,64', '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(out, 'demo.yaml'));
    expect(existsSync(join(out, 'demo.zarr'))).toBe(true);
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8'));
    expect(Object.keys(truth.tiles)).toEqual(['t_0_0_0', 't_0_0_1']);
    expect(truth.network.n_segments).toBeGreaterThan(0);
  });

  it('rejects bad options with a clear message, a non-zero exit, and writes nothing', async () => {
    const out = tmp();
    const r = await runCli(['synth', join(out, 'bad.yaml'), '--grid', '1,x,2']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--grid "1,x,2"/);
    expect(readdirSync(out)).toEqual([]);
    const r2 = await runCli(['synth', join(out, 'bad.yaml'), '--fov', 'square']);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/--fov must be full or cylinder/);
    expect(readdirSync(out)).toEqual([]);
  });
});

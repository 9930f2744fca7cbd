import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { parse } from 'yaml';
import { runCli } from '../helpers/run-cli.js';
import { cutTile, gridPaper } from '../helpers/mosaic-fixture.js';
import { orderFiles } from '../../src/tiff/order-files.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-import-img-'));
const H = 120, W = 120, STEP = 100, N = 10;

/** tile1.png … tile10.png: a 1×10 row of grid paper, left to right. */
function writeRow(dir: string, seed: number): string[] {
  const imgW = STEP * (N - 1) + W;
  const img = gridPaper(H, imgW, seed);
  return Array.from({ length: N }, (_, i) => {
    const f = join(dir, `tile${i + 1}.png`);
    writeFileSync(f, encodePng({ width: W, height: H, data: cutTile(img, imgW, 0, i * STEP, H, W), channels: 1, depth: 8 }));
    return f;
  });
}

describe('import: PNG and JPEG tiles, file order (issue 15, failures 3 and 5)', () => {
  it('orders files naturally by default: tile2 before tile10', () => {
    const shell = ['tile1.png', 'tile10.png', 'tile2.png', 'tile3.png'];
    expect(orderFiles(shell, 'natural')).toEqual(['tile1.png', 'tile2.png', 'tile3.png', 'tile10.png']);
    expect(orderFiles(shell, 'given')).toEqual(shell);
    expect(() => orderFiles(shell, 'random')).toThrow(/--order must be one of natural, given, lexical/);
  });

  it('a shuffled (shell) order is laid out right by default; with --order given the wrong layout is caught and its tiles named', async () => {
    const dir = tmp();
    const files = writeRow(dir, 31).sort(); // the shell's order: tile1, tile10, tile2, ...
    expect(files[1]).toMatch(/tile10\.png$/);
    const good = await runCli(['import', join(dir, 'good.yaml'), '--grid', `1,1,${N}`, '--overlap', String((W - STEP) / W), ...files]);
    expect(good.stderr).not.toMatch(/stitchgraph: /);
    expect(good.code).toBe(0);
    const cfg = parse(readFileSync(join(dir, 'good.yaml'), 'utf8')) as { workdir: string; tiles: { id: string; position: number[] }[] };
    expect(cfg.workdir).toBe('./good-work');
    const res = await registerCampaign(join(dir, 'good.yaml'), { workers: 1 });
    expect(res.pairs.pairs.filter((p) => p.status === 'ok').length).toBe(N - 1);
    expect(res.warnings).toEqual([]);

    const bad = await runCli(['import', join(dir, 'bad.yaml'), '--grid', `1,1,${N}`, '--overlap', String((W - STEP) / W), '--order', 'given', ...files]);
    expect(bad.code).toBe(0);
    const wrong = await registerCampaign(join(dir, 'bad.yaml'), { workers: 1 });
    // Slot t_0_0_1 holds tile10: its pairs with t_0_0_0 and t_0_0_2 cannot be right.
    // (Here the spacing is 5 grid periods, so they match the grid at the nominal shift and stand out by correlation.)
    const layout = wrong.warnings.filter((w) => w.startsWith('layout:'));
    expect(layout.length).toBeGreaterThan(0);
    expect(layout.join('\n')).toContain('t_0_0_0–t_0_0_1');
    expect(layout.join('\n')).toContain('t_0_0_1–t_0_0_2');
  });

  it('reads 8-bit grey PNG, 16-bit PNG and colour JPEG tiles as 2-D tiles', async () => {
    const dir = tmp();
    const grey = new Uint8Array(64 * 80).map((_, i) => (i * 7) % 251);
    writeFileSync(join(dir, 'a.png'), encodePng({ width: 80, height: 64, data: grey, channels: 1, depth: 8 }));
    const deep = new Uint16Array(64 * 80).map((_, i) => (i * 977) % 65521);
    writeFileSync(join(dir, 'b.png'), encodePng({ width: 80, height: 64, data: deep, channels: 1, depth: 16 }));
    const rgba = new Uint8Array(64 * 80 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 13) % 200));
    writeFileSync(join(dir, 'c.jpg'), encodeJpeg({ width: 80, height: 64, data: rgba }, 95).data);
    writeFileSync(join(dir, 'tiles.csv'), 'file,y,x\na.png,0,0\nb.png,0,70\nc.jpg,0,140\n');
    const r = await runCli(['import', join(dir, 'img.yaml'), '--tiles', join(dir, 'tiles.csv')]);
    expect(r.stderr).not.toMatch(/stitchgraph: /);
    const campaign = await openCampaign(join(dir, 'img.yaml'));
    expect(campaign.tiles.map((t) => [t.id, t.dtype, t.shape])).toEqual([
      ['a', 'uint8', [1, 64, 80]],
      ['b', 'uint16', [1, 64, 80]],
      ['c', 'uint8', [1, 64, 80]],
    ]);
    const a = await (await campaign.openTile('a')).readRegion({ start: [0, 0, 0], size: [1, 64, 80] });
    expect(Array.from(a.data as Uint8Array)).toEqual(Array.from(grey));
    const b = await (await campaign.openTile('b')).readRegion({ start: [0, 0, 0], size: [1, 64, 80] });
    expect(Array.from(b.data as Uint16Array)).toEqual(Array.from(deep));
  });

  it('names an unsupported format and what to do, and never prints binary for a non-YAML campaign', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.bmp'), Buffer.concat([Buffer.from('BM'), Buffer.alloc(200, 7)]));
    writeFileSync(join(dir, 'tiles.csv'), 'file,y,x\nx.bmp,0,0\n');
    const r = await runCli(['import', join(dir, 'x.yaml'), '--tiles', join(dir, 'tiles.csv')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/it is a BMP file; import reads TIFF .*PNG and JPEG: convert it to TIFF, PNG or JPEG/);

    const tif = join(dir, 'some.tif');
    writeFileSync(tif, Buffer.concat([Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), Buffer.alloc(80_000, 0x01), Buffer.from([0, 0xff, 0xfe])]));
    const a = await runCli(['analyze', tif]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/it is a TIFF file, not a campaign YAML/);
    expect(a.stderr.length).toBeLessThan(2000);
    expect(a.stderr).not.toContain('\u0001');
  });
});

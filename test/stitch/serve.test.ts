/// <reference lib="dom" />
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { makeCampaign, type TestCampaign } from './helpers.js';
import { serveVolume, type VolumeServer } from '../../src/stitch/serve-volume.js';
import { writeNpy } from '../../src/imageio/write-npy.js';
import type { Vec3 } from '../../src/geometry/box.js';

// zarr-python over HTTP without fsspec's aiohttp (not installed for Debian's python3): a read-only store on urllib.
const PY = `
import sys, json, collections.abc, urllib.request, urllib.error, numpy as np, zarr
url, z0, y0, x0, d, h, w, ref = sys.argv[1], *map(int, sys.argv[2:8]), sys.argv[8]
class HttpStore(collections.abc.MutableMapping):
    def __getitem__(self, key):
        try:
            with urllib.request.urlopen(url + '/' + key) as r:
                return r.read()
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise KeyError(key)
            raise
    def __setitem__(self, key, value):
        raise PermissionError('read-only')
    def __delitem__(self, key):
        raise PermissionError('read-only')
    def __iter__(self):
        return iter(())
    def __len__(self):
        return 0
g = zarr.open_group(HttpStore(), mode='r')
ms = g.attrs['multiscales'][0]
a = g[ms['datasets'][0]['path']]
got = a[z0:z0 + d, y0:y0 + h, x0:x0 + w]
print(json.dumps({'shape': list(a.shape), 'version': ms['version'], 'max': float(np.abs(got - np.load(ref)).max()), 'levels': len(ms['datasets'])}))
`;

describe('serve', () => {
  let c: TestCampaign;
  let srv: VolumeServer;
  let browser: BrowserContext | undefined;
  beforeAll(async () => {
    c = await makeCampaign({ seed: 9, tileShape: [16, 40, 40] });
    srv = await serveVolume(c.volume, { port: 0, chunk: [8, 16, 16] });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('zarr-python reads a region over HTTP equal to getView of it', async () => {
    const ext = c.volume.levelExtent(0);
    // A region across chunk and tile boundaries, in array coordinates.
    const a0: Vec3 = [5, 11, 19], size: Vec3 = [12, 30, 27];
    const view = await c.volume.getView(a0.map((v, i) => v + ext.lo[i]) as Vec3, size);
    const ref = join(mkdtempSync(join(tmpdir(), 'sg-serve-')), 'ref.npy');
    await writeNpy(ref, view.data, size, 'float32');
    // Asynchronously: the server runs on this very event loop.
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', PY, `${srv.url}/zarr`, ...[...a0, ...size].map(String), ref], { encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(stdout) as { shape: number[]; version: string; max: number; levels: number };
    expect(out.shape).toEqual(ext.shape);
    expect(out.version).toBe('0.4');
    expect(out.levels).toBeGreaterThan(1);
    expect(out.max).toBe(0);
  });

  it('answers bad paths and out-of-range chunks with 404 and keeps serving', async () => {
    const ext = c.volume.levelExtent(0);
    const far = Math.ceil(ext.shape[0] / 8);
    for (const p of ['/nope', '/zarr/0/.zattrs', `/zarr/0/${far}/0/0`, '/zarr/0/-1/0/0', '/zarr/99/0/0/0', '/zarr/0/a/b/c', '/zarr/%E0%A4%A/x', '/api/slice.png?axis=z&index=99999', `/api/slice.png?axis=z&index=${ext.lo[0] - 1}`, '/zarr/../../etc/passwd']) {
      const r = await fetch(srv.url + p);
      expect(r.status, p).toBe(404);
    }
    // Malformed parameters are the client's error: 400, with the reason.
    for (const p of ['/api/slice.png?axis=q&index=0', '/api/slice.png?axis=z&index=-1.5', '/api/slice.png?axis=z', '/api/slice.png?axis=z&index=0&level=one']) {
      const r = await fetch(srv.url + p);
      expect(r.status, p).toBe(400);
      expect(await r.text(), p).toMatch(/^Bad request: /);
    }
    expect((await fetch(`${srv.url}/zarr/0/.zarray`)).status).toBe(200);
    const r = await fetch(`${srv.url}/zarr/0/0/0/0`);
    expect(r.status).toBe(200);
    expect((await r.arrayBuffer()).byteLength).toBe(8 * 16 * 16 * 4);
  });

  it('serves upper pyramid levels equal to getView at that level', async () => {
    // Served levels are built from the served chunks of the level below (cached): the same values.
    const chunk: Vec3 = [8, 16, 16];
    for (const level of [2, 1]) {
      const e = c.volume.levelExtent(level);
      const last = e.shape.map((s, a) => Math.ceil(s / chunk[a]) - 1) as Vec3;
      for (const idx of [[0, 1, 1], last] as Vec3[]) {
        const got = new Float32Array(await (await fetch(`${srv.url}/zarr/${level}/${idx.join('/')}`)).arrayBuffer());
        const want = await c.volume.getView(idx.map((k, a) => e.lo[a] + k * chunk[a]) as Vec3, chunk, { level });
        expect(Array.from(got), `level ${level} chunk ${idx}`).toEqual(Array.from(want.data));
      }
    }
  });

  it('shows three slices in headless Chromium, and moving a slider changes the view', async () => {
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sg-chromium-')), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1000, height: 600 },
    });
    const page = await browser.newPage();
    await page.goto(srv.url + '/');
    const loaded = () => page.waitForFunction(() => ['z', 'y', 'x'].every((a) => {
      const img = document.getElementById('slice-' + a) as HTMLImageElement;
      return img.src !== '' && img.complete && img.naturalWidth > 0;
    }));
    await loaded();
    // Non-blank: the screenshot of the z slice, decoded in the page, has spread in its grey levels.
    const spread = async (png: Buffer) =>
      page.evaluate(async (b64) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const cv = document.createElement('canvas');
        cv.width = img.width;
        cv.height = img.height;
        const ctx = cv.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, cv.width, cv.height).data;
        let s = 0, s2 = 0;
        const n = d.length / 4;
        for (let i = 0; i < d.length; i += 4) {
          s += d[i];
          s2 += d[i] * d[i];
        }
        return Math.sqrt(s2 / n - (s / n) ** 2);
      }, png.toString('base64'));
    const shots: Buffer[] = [];
    for (const a of ['z', 'y', 'x']) {
      const shot = await page.locator('#slice-' + a).screenshot();
      expect(await spread(shot), `${a} slice`).toBeGreaterThan(10);
      shots.push(shot);
    }
    const before = await page.locator('#slice-z').getAttribute('src');
    await page.locator('#z').evaluate((el: HTMLInputElement) => {
      el.value = String(Number(el.min) + 2);
      el.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction((b) => (document.getElementById('slice-z') as HTMLImageElement).src.indexOf(b ?? '') < 0, before);
    await loaded();
    const after = await page.locator('#slice-z').screenshot();
    expect(after.equals(shots[0])).toBe(false);
  });
});

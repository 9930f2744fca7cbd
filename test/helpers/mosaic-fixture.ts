import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { campaignYaml } from '../../src/campaign/campaign-yaml.js';
import { createArray, createGroup, writeRegion } from '../../src/zarrio/write-array.js';
import type { Vec3 } from '../../src/geometry/box.js';

/** A deterministic pseudo-random generator (mulberry32), so fixtures are the same every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * "Grid paper under a brightfield microscope": grey ~88, dark lines every `period` pixels, a smooth
 * texture, a few dark ink marks (non-periodic: what makes registration possible) and noise.
 */
export function gridPaper(h: number, w: number, seed: number, period = 20): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(h * w);
  const waves = Array.from({ length: 6 }, () => ({ fy: r() * 0.08, fx: r() * 0.08, ph: r() * 6.3, amp: 2 + 3 * r() }));
  const marks = Array.from({ length: Math.ceil((h * w) / 5000) }, () => ({ y: r() * h, x: r() * w, rad: 3 + 6 * r(), depth: 25 + 30 * r() }));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 92;
      if (y % period < 2 || x % period < 2) v -= 22;
      for (const wv of waves) v += wv.amp * Math.sin(wv.fy * y + wv.fx * x + wv.ph);
      out[y * w + x] = v;
    }
  for (const m of marks) {
    const y0 = Math.max(0, Math.floor(m.y - m.rad)), y1 = Math.min(h - 1, Math.ceil(m.y + m.rad));
    const x0 = Math.max(0, Math.floor(m.x - m.rad)), x1 = Math.min(w - 1, Math.ceil(m.x + m.rad));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) if ((y - m.y) ** 2 + (x - m.x) ** 2 <= m.rad ** 2) out[y * w + x] -= m.depth;
  }
  for (let i = 0; i < out.length; i++) out[i] += 3 * (r() + r() + r() - 1.5);
  return out;
}

/** A (h, w) window of an image at (y, x), as uint8. */
export function cutTile(img: Float32Array, imgW: number, y: number, x: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) out[j * w + i] = Math.max(0, Math.min(255, Math.round(img[(y + j) * imgW + x + i])));
  return out;
}

export interface FixtureTile {
  id: string;
  /** uint8 plane of (h, w). */
  data: Uint8Array;
  h: number;
  w: number;
  /** Nominal (stage) position (z, y, x). */
  position: Vec3;
}

/** Write 2-D tiles as a Zarr store and a campaign YAML in `dir`; returns the YAML path. */
export async function writeMosaicCampaign(dir: string, tiles: FixtureTile[], extra: Record<string, unknown> = {}): Promise<string> {
  const store = join(dir, 'mosaic.zarr');
  await createGroup(store, '/');
  await createGroup(store, 'tiles');
  for (const t of tiles) {
    const arr = await createArray(store, `tiles/${t.id}`, { shape: [1, t.h, t.w], chunks: [1, t.h, t.w], dtype: 'uint8' });
    await writeRegion(arr, [0, 0, 0], [1, t.h, t.w], t.data);
  }
  const yaml = join(dir, 'mosaic.yaml');
  const config = { campaign: 'mosaic', store: './mosaic.zarr', workdir: './work', voxel_size: [1, 1, 1], tiles: tiles.map((t) => ({ id: t.id, array: `tiles/${t.id}`, position: t.position })), ...extra };
  writeFileSync(yaml, campaignYaml(config));
  return yaml;
}

/** A float plane written as an 8-bit grey PNG (clamped to 0..255), for looking at a mosaic. */
export function writeGreyPng(file: string, data: ArrayLike<number>, h: number, w: number): void {
  const u8 = new Uint8Array(h * w);
  for (let i = 0; i < u8.length; i++) u8[i] = Math.max(0, Math.min(255, Math.round(data[i] || 0)));
  writeFileSync(file, encode({ width: w, height: h, data: u8, channels: 1, depth: 8 }));
}

export function mean(v: ArrayLike<number>): number {
  let s = 0, n = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== v[i]) continue;
    s += v[i];
    n++;
  }
  return n ? s / n : NaN;
}

/**
 * Writes a test volume and sparse training labels for the segmentation example
 * (docs/segmentation.md): DIR/vol.tif (the vessel phantom under uneven gain and background) and
 * DIR/labels.tif (0 unlabelled, 1 background, 2 structure on 0.3 % of the voxels, from the truth).
 * Run: npx tsx scripts/segmentation-example.ts DIR
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderUnevenPhantom } from '../src/synth/render-uneven-phantom.js';
import { writeTiffStack } from '../src/imageio/write-tiff.js';
import type { Vec3 } from '../src/geometry/box.js';

const dir = process.argv[2] ?? 'segmentation-example';
const shape: Vec3 = [64, 96, 96];
const p = renderUnevenPhantom({ shape, seed: 3 });
const labels = p.mask.map((m, i) => (i % 300 === 0 ? (m ? 2 : 1) : 0));
mkdirSync(dir, { recursive: true });
await writeTiffStack(join(dir, 'vol.tif'), p.image, shape, 'float32');
await writeTiffStack(join(dir, 'labels.tif'), labels, shape, 'uint8');
process.stdout.write(`${join(dir, 'vol.tif')}\n${join(dir, 'labels.tif')}\n`);

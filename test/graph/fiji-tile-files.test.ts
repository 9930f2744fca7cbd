import { describe, it, expect } from 'vitest';
import { writeFileSync, readFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTileConfiguration } from '../../src/fiji/parse-tile-configuration.js';
import { formatTileConfiguration } from '../../src/fiji/format-tile-configuration.js';
import { fijiNominalPositions } from '../../src/fiji/fiji-nominal-positions.js';
import { importTiffCampaign } from '../../src/tiff/import-tiff-campaign.js';
import { readTileList } from '../../src/tiff/read-tile-list.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { optimizeCampaign } from '../../src/graph/optimize-campaign.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { tempDir } from '../zarrio/_helpers.js';
import { realMosaic } from '../helpers/shared-data.js';

// As Fiji's Grid/Collection stitching writes a multi-series file (e.g. one .czi holding every tile):
// the middle field is the series, and later lines may leave the file name empty.
const MULTISERIES = `# Define the number of dimensions we are working on
dim = 2
multiseries = true

# Define the image coordinates
mosaic.czi; 0; (0.0, 0.0)
; 1; (832.5, -1.25)
`;

describe('Fiji TileConfiguration: every line Fiji reads, and files Fiji can open', () => {
  it('reads multiseries files (series index, empty name = previous file) and writes them back', () => {
    const c = parseTileConfiguration(MULTISERIES, 'multi.txt');
    expect(c.multiSeries).toBe(true);
    expect(c.entries).toEqual([
      { file: 'mosaic.czi', series: '0', position: [0, 0, 0] },
      { file: 'mosaic.czi', series: '1', position: [0, -1.25, 832.5] },
    ]);
    expect(parseTileConfiguration(formatTileConfiguration(c))).toEqual(c);
    // Fiji skips lines of up to 3 characters and takes "dim=3" without spaces.
    expect(parseTileConfiguration('dim=3\n  \n;;\na.tif;;(1,2,3)\n').entries).toEqual([{ file: 'a.tif', position: [3, 2, 1] }]);
    expect(() => parseTileConfiguration('dim = 2\nmultiseries = true\na.czi; ; (1, 2)\n', 'm.txt')).toThrow(/m\.txt:3: multiseries = true needs a series index/);
    expect(() => parseTileConfiguration('dim = 2\nmultiseries = maybe\n', 'm.txt')).toThrow(/m\.txt:2: multiseries must be true or false/);
  });

  it('matches series lines to tiles named <file>_s<series> and keeps the series', () => {
    const tiles = ['mosaic_s0', 'mosaic_s1'].map((id) => ({ id, nominal: [0, 0, 0] as Vec3 }));
    const r = fijiNominalPositions(tiles, parseTileConfiguration(MULTISERIES));
    expect(r.tiles.map((t) => t.nominal)).toEqual([[0, 0, 0], [0, -1.25, 832.5]]);
    expect(r.seriesOf.get('mosaic_s1')).toBe('1');
  });

  it('names the imported TIFF files in TileConfiguration.registered.txt, which reads back as the positions', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'raw'));
    for (const f of ['tile0_derived.tif', 'tile1_derived.tif']) copyFileSync(join(realMosaic(), f), join(dir, 'raw', f));
    const csv = join(dir, 'tiles.csv');
    writeFileSync(csv, 'id,file,z,y,x\nleft,raw/tile0_derived.tif,0,0,0\nright,raw/tile1_derived.tif,0,0,832\n');
    const yaml = await importTiffCampaign({ tiles: await readTileList(csv), outDir: join(dir, 'out'), name: 'mosaic', chunks: [1, 256, 256], voxelSize: [1, 1.0833, 1.0833] });
    await registerCampaign(yaml, { workers: 1 });
    const fijiOut = join(dir, 'fiji', 'TileConfiguration.registered.txt');
    const res = await optimizeCampaign(yaml, { fijiOut });
    const back = parseTileConfiguration(readFileSync(fijiOut, 'utf8'));
    expect(back.entries.map((e) => e.file)).toEqual(['../raw/tile0_derived.tif', '../raw/tile1_derived.tif']);
    back.entries.forEach((e, i) => {
      const p = res.positions.tiles[['left', 'right'][i]].position;
      e.position.slice(1).forEach((v, a) => expect(v).toBeCloseTo(p[a + 1], 5));
    });
    // Fed back to optimize, Fiji's own file names find the tiles again.
    const again = await optimizeCampaign(yaml, { fijiTiles: fijiOut, fijiOut: join(dir, 'again.txt') });
    expect(again.positions.nominal_source).toBe(fijiOut);
  });
});

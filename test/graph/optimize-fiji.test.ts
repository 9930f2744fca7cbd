import { describe, it, expect } from 'vitest';
import type { Vec3 } from '../../src/geometry/box.js';
import { parseTileConfiguration } from '../../src/fiji/parse-tile-configuration.js';
import { formatTileConfiguration } from '../../src/fiji/format-tile-configuration.js';
import { fijiNominalPositions } from '../../src/fiji/fiji-nominal-positions.js';
import { isStitchgraphError } from '../../src/errors.js';

// A 2-D file in the form Fiji's Grid/Collection stitching writes (x first, pixels).
const FIJI_2D = `# Define the number of dimensions we are working on
dim = 2

# Define the image coordinates
tiles/t_0_0_0.tif; ; (0.0, 0.0)
tiles/t_0_0_1.tif; ; (1227.55, 0.0)
tiles/t_0_1_0.tif; ; (0.23675, 920.01)
`;

describe('Fiji TileConfiguration interchange', () => {
  it('parses 2-D files (x, y → z = 0, y, x) and 3-D files (x, y, z → z, y, x)', () => {
    const c2 = parseTileConfiguration(FIJI_2D);
    expect(c2.dim).toBe(2);
    expect(c2.entries.map((e) => e.position)).toEqual([[0, 0, 0], [0, 0, 1227.55], [0, 920.01, 0.23675]]);
    const c3 = parseTileConfiguration('dim=3\nimg_a.tif;;(1, 2, 3)\r\nimg_b.tif; 2 ; ( -4.5 , 5 , 6e1 )\n');
    expect(c3.entries).toEqual([{ file: 'img_a.tif', position: [3, 2, 1] }, { file: 'img_b.tif', series: '2', position: [60, 5, -4.5] }]);
  });

  it('writes what it reads, 2-D and 3-D', () => {
    for (const dim of [2, 3] as const) {
      const entries = [{ file: 'a.tif', position: [dim === 3 ? 7.25 : 0, 3.5, -1] as Vec3 }, { file: 'b.tif', position: [dim === 3 ? 1 : 0, 100.125, 200] as Vec3 }];
      const text = formatTileConfiguration({ dim, entries });
      expect(text).toContain(`dim = ${dim}`);
      expect(text).toContain(dim === 3 ? 'a.tif; ; (-1, 3.5, 7.25)' : 'a.tif; ; (-1, 3.5)');
      expect(parseTileConfiguration(text)).toEqual({ dim, entries });
    }
  });

  it('says which line is wrong', () => {
    const cases: [string, RegExp][] = [
      ['a.tif; ; (1, 2)\n', /:1: tile lines before the "dim/],
      ['dim = 3\na.tif; ; (1, 2)\n', /:2: expected "file; ; \(x, y, z\)" with 3 numbers/],
      ['dim = 4\n', /dim must be 2 or 3/],
      ['# nothing\n', /no "dim = 2\|3" line/],
      ['dim = 2\na.tif (1, 2)\n', /:2: expected "file; series; \(x, y, z\)"/],
    ];
    for (const [text, re] of cases) {
      try {
        parseTileConfiguration(text, 'cfg.txt');
        expect.unreachable();
      } catch (err) {
        expect(isStitchgraphError(err, 'InputError')).toBe(true);
        expect((err as Error).message).toMatch(re);
      }
    }
  });

  it('matches Fiji file names to tile ids and keeps z in 2-D', () => {
    const tiles = ['t_0_0_0', 't_0_0_1', 't_0_1_0', 't_0_1_1'].map((id) => ({ id, nominal: [5, 0, 0] as Vec3, array: `tiles/${id}` }));
    const res = fijiNominalPositions(tiles, parseTileConfiguration(FIJI_2D));
    expect(res.tiles[1].nominal).toEqual([5, 0, 1227.55]);
    expect(res.fileOf.get('t_0_1_0')).toBe('tiles/t_0_1_0.tif');
    expect(res.missing).toEqual(['t_0_1_1']);
    expect(res.tiles[3].nominal).toEqual([5, 0, 0]);
    expect(() => fijiNominalPositions(tiles, parseTileConfiguration('dim = 2\nother.tif; ; (1, 2)\n'))).toThrow(/"other\.tif" matches no campaign tile/);
  });
});

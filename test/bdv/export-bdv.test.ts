import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCampaign } from '../stitch/helpers.js';
import { exportBdv } from '../../src/bdv/export-bdv.js';
import { importBdvPositions } from '../../src/bdv/import-bdv-positions.js';
import { readBdvPositions } from '../../src/bdv/read-bdv-positions.js';
import { readPositionsFile } from '../../src/formats/positions.js';
import { bdvLevelFactors } from '../../src/bdv/bdv-levels.js';
import { buildCampaignPyramids } from '../../src/pyramid/build-campaign-pyramids.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import { runCli } from '../helpers/run-cli.js';

const run = promisify(execFile);

// Checks the project as BigStitcher would see it, with Python's own XML parser and zarr-python:
// every transform composed (outermost first), the voxel sizes, the images each loader entry names.
const PY = `
import sys, json, os, numpy as np, zarr, xml.etree.ElementTree as ET
xml = sys.argv[1]; root = ET.parse(xml).getroot(); base = os.path.dirname(xml)
loader = root.find('SequenceDescription/ImageLoader')
container = os.path.join(base, loader.find('zarr').text)
paths = {int(g.get('setup')): g.get('path') for g in loader.find('zgroups')}
out = {'format': loader.get('format'), 'setups': {}}
for s in root.find('SequenceDescription/ViewSetups').findall('ViewSetup'):
    sid = int(s.find('id').text)
    out['setups'][sid] = {'name': s.find('name').text, 'size': [int(v) for v in s.find('size').text.split()],
                          'voxel': [float(v) for v in s.find('voxelSize/size').text.split()]}
for r in root.find('ViewRegistrations').findall('ViewRegistration'):
    m = np.eye(4)
    for t in r.findall('ViewTransform'):
        a = np.eye(4); a[:3, :] = np.array([float(v) for v in t.find('affine').text.split()]).reshape(3, 4)
        m = m @ a
    sid = int(r.get('setup'))
    pos = np.linalg.solve(m[:3, :3], m[:3, 3])
    g = zarr.open_group(os.path.join(container, paths[sid]), mode='r')
    ms = g.attrs['multiscales'][0]
    l0 = g[ms['datasets'][0]['path']]; l1 = g[ms['datasets'][1]['path']]
    out['setups'][sid].update({'position_xyz': pos.tolist(), 'axes': [a['name'] for a in ms['axes']],
        'l0_shape': list(l0.shape), 'l0_sum': float(np.asarray(l0[:], dtype=np.float64).sum()), 'l1_shape': list(l1.shape),
        'l1_scale': ms['datasets'][1]['coordinateTransformations'][0]['scale']})
print(json.dumps(out))
`;

describe('BigStitcher / BigDataViewer interchange', () => {
  it('export-bdv: one ViewSetup and one ViewRegistration per tile, the positions, voxel sizes and images BigStitcher opens', async () => {
    const { campaign, positionsPath } = await makeCampaign({ seed: 31, voxelSize: [2, 0.5, 0.5], grid: [1, 2, 2], tileShape: [20, 70, 70] });
    const res = await exportBdv(campaign);
    expect(res.xml).toBe(join(campaign.workdir, 'bigstitcher.xml'));
    expect(res.positionsSource).toBe(positionsPath);
    const { stdout } = await run('/usr/bin/python3', ['-c', PY, res.xml], { maxBuffer: 1 << 24 });
    const r = JSON.parse(stdout) as { format: string; setups: Record<string, { name: string; size: number[]; voxel: number[]; position_xyz: number[]; axes: string[]; l0_shape: number[]; l0_sum: number; l1_shape: number[]; l1_scale: number[] }> };
    expect(r.format).toBe('bdv.multimg.zarr');
    const positions = await readPositionsFile(positionsPath);
    expect(Object.keys(r.setups)).toHaveLength(campaign.tiles.length);
    for (const [i, t] of campaign.tiles.entries()) {
      const s = r.setups[i];
      expect(s.name).toBe(t.id);
      expect(s.size).toEqual([t.shape[2], t.shape[1], t.shape[0]]);
      expect(s.voxel).toEqual([0.5, 0.5, 2]);
      // Voxel 0 of the view sits at the tile's position (x, y, z), whatever the calibration.
      const p = positions.tiles[t.id].position;
      s.position_xyz.forEach((v, a) => expect(v).toBeCloseTo(p[2 - a], 6));
      expect(s.axes).toEqual(['t', 'c', 'z', 'y', 'x']);
      expect(s.l0_shape).toEqual([1, 1, ...t.shape]);
      const tile = await campaign.openTile(t.id);
      const data = (await tile.readRegion({ start: [0, 0, 0], size: t.shape })).data;
      let sum = 0;
      for (let k = 0; k < data.length; k++) sum += data[k];
      expect(s.l0_sum).toBe(sum);
      const f = bdvLevelFactors(t.shape, campaign.voxelSize)[1];
      expect(s.l1_shape).toEqual([1, 1, ...t.shape.map((v, a) => Math.ceil(v / f[a]))]);
      expect(s.l1_scale.slice(2)).toEqual(f.map((v, a) => v * campaign.voxelSize[a]));
    }
  });

  it('export-bdv copies the levels of a built tile pyramid instead of recomputing them', async () => {
    const { campaign } = await makeCampaign({ seed: 34, grid: [1, 1, 2], tileShape: [20, 70, 70] });
    await buildCampaignPyramids(campaign, { workers: 1 });
    const pyramid = await openTilePyramid(campaign, campaign.tiles[0].id);
    expect(pyramid.levels.length).toBeGreaterThan(1);
    const { xml } = await exportBdv(campaign, { out: join(campaign.workdir, 'p.xml') });
    const { stdout } = await run('/usr/bin/python3', ['-c', PY, xml], { maxBuffer: 1 << 24 });
    const s = (JSON.parse(stdout) as { setups: Record<string, { l1_shape: number[]; l1_scale: number[] }> }).setups[0];
    const l1 = pyramid.levels[1];
    expect(s.l1_shape).toEqual([1, 1, ...l1.shape]);
    expect(s.l1_scale.slice(2)).toEqual(l1.factors.map((v, a) => v * campaign.voxelSize[a]));
  });

  it('import-bdv reads the exported registrations back as the same positions (round trip)', async () => {
    const { campaign, positionsPath } = await makeCampaign({ seed: 32, grid: [1, 2, 2] });
    const { xml } = await exportBdv(campaign, { images: 'link' });
    const r = await importBdvPositions(campaign, xml);
    const ours = await readPositionsFile(positionsPath);
    // BigStitcher's frame is its own: the import keeps the first tile at its nominal position.
    const first = campaign.tiles[0];
    const shift = first.nominal.map((n, a) => n - ours.tiles[first.id].position[a]);
    for (const t of campaign.tiles) r.positions.tiles[t.id].position.forEach((v, a) => expect(v).toBeCloseTo(ours.tiles[t.id].position[a] + shift[a], 6));
    expect(r.notTranslations).toEqual([]);
    for (const d of r.differences!) expect(d.distance_vox).toBeCloseTo(Math.hypot(...shift), 6);
  });

  it("reads BigStitcher's own XML: grid translation, stitching transform and calibration composed; rotations flagged", () => {
    // The form BigStitcher saves after "Stitch dataset": outermost first (stitching, grid, calibration).
    const reg = (setup: number, stitch: number[], grid: number[], extra = '') => `
      <ViewRegistration timepoint="0" setup="${setup}">${extra}
        <ViewTransform type="affine"><Name>Stitching Transform</Name><affine>1.0 0.0 0.0 ${stitch[0]} 0.0 1.0 0.0 ${stitch[1]} 0.0 0.0 1.0 ${stitch[2]}</affine></ViewTransform>
        <ViewTransform type="affine"><Name>Translation to Regular Grid</Name><affine>1.0 0.0 0.0 ${grid[0]} 0.0 1.0 0.0 ${grid[1]} 0.0 0.0 1.0 ${grid[2]}</affine></ViewTransform>
        <ViewTransform type="affine"><Name>calibration</Name><affine>1.0 0.0 0.0 0.0 0.0 1.0 0.0 0.0 0.0 0.0 3.0 0.0</affine></ViewTransform>
      </ViewRegistration>`;
    const text = `<?xml version="1.0" encoding="UTF-8"?><SpimData version="0.2"><BasePath type="relative">.</BasePath>
      <SequenceDescription><ViewSetups>
        <ViewSetup><id>0</id><size>100 80 10</size><attributes><tile>0</tile></attributes></ViewSetup>
        <ViewSetup><id>1</id><size>100 80 10</size><attributes><tile>1</tile></attributes></ViewSetup>
        <Attributes name="tile"><Tile><id>0</id><name>left</name></Tile><Tile><id>1</id><name>right</name></Tile></Attributes>
      </ViewSetups></SequenceDescription>
      <ViewRegistrations>${reg(0, [0, 0, 0], [0, 0, 0])}${reg(1, [-2.5, 1.25, 3], [90, 0, 0], '<ViewTransform type="affine"><Name>tilt</Name><affine>0.99 -0.14 0 0 0.14 0.99 0 0 0 0 1 0</affine></ViewTransform>')}</ViewRegistrations></SpimData>`;
    const views = readBdvPositions(text, 'bs.xml');
    expect(views.map((v) => v.name)).toEqual(['left', 'right']);
    expect(views[0].position).toEqual([0, 0, 0]);
    expect(views[0].translationOnly).toBe(true);
    expect(views[1].translationOnly).toBe(false);
    expect(() => readBdvPositions('<Other/>', 'x.xml')).toThrow(/Cannot read BigStitcher project x\.xml: no <SpimData>/);
  });

  it('CLI: export-bdv writes workdir/bigstitcher.xml; import-bdv names a tile it cannot find', async () => {
    const { synth, campaign } = await makeCampaign({ seed: 33, grid: [1, 1, 2] });
    const ex = await runCli(['export-bdv', synth.configPath, '--images', 'link']);
    expect(ex.code).toBe(0);
    expect(ex.stdout.trim()).toBe(join(campaign.workdir, 'bigstitcher.xml'));
    const xml = readFileSync(join(campaign.workdir, 'bigstitcher.xml'), 'utf8');
    const bad = join(campaign.workdir, 'bad.xml');
    writeFileSync(bad, xml.replace(/<name>t_0_0_1<\/name>/, '<name>elsewhere</name>').replace(/path="tiles\/t_0_0_1"/, 'path="x"'));
    const im = await runCli(['import-bdv', synth.configPath, bad]);
    expect(im.code).not.toBe(0);
    expect(im.stderr).toMatch(/stitchgraph: Cannot import BigStitcher positions from .*bad\.xml: no view for tile t_0_0_1/);
  });
});

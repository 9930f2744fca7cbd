import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStudy } from '../../src/study/load-study.js';
import { writeSampleTables } from '../../src/study/write-sample-tables.js';
import { queryStudy } from '../../src/study/query-study.js';

// Hand-written network tables: sample 007 comes from a newer analysis with an extra,
// unit-suffixed column; both must pool by column name.
const CAMPAIGN = 'store: ./s.zarr\nworkdir: ./out\ngrid: { tiles: [1, 1, 2], overlap: 0.1, array: "t_{z}_{y}_{x}" }\n';
const NODES = 'node_id,z,y,x,degree,kind\n0,1,2,3,1,endpoint\n1,5,6,7,1,endpoint\n';

function sample(dir: string, id: string, branches: string): string {
  const wd = join(dir, id, 'out');
  mkdirSync(join(wd, 'network'), { recursive: true });
  writeFileSync(join(dir, id, 'campaign.yaml'), CAMPAIGN);
  writeFileSync(join(wd, 'network', 'branches.csv'), branches);
  writeFileSync(join(wd, 'network', 'nodes.csv'), NODES);
  writeFileSync(join(wd, 'network', 'components.csv'), 'label,voxels\n');
  writeFileSync(join(wd, 'positions.json'), JSON.stringify({ tiles: { a: { position: [0, 0, 0], group: 0 }, b: { position: [0, 0, 54.5], group: 0, nominal_only: true } }, residuals: {} }));
  return wd;
}

describe('writeSampleTables and the pooled views', () => {
  it('keeps extra columns, joins branch ends, keeps text ids and skips empty tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-sample-tables-'));
    const old = sample(dir, '007', 'branch_id,node_src,node_dst,length_um\n0,0,1,4.5\n');
    const newer = sample(dir, '010', 'branch_id,node_src,node_dst,length_um,length_vox\n0,1,0,2.25,4.5\n1,0,0,1,2\n');
    writeFileSync(join(dir, 'meta.csv'), 'id,strain\n007,B6\n010,C3H\n');
    writeFileSync(join(dir, 'study.yaml'), 'study: s\nsamples: ./*/campaign.yaml\nmetadata: meta.csv\n');
    const first = await writeSampleTables('007', old);
    expect(first.written).toEqual(['branches', 'nodes', 'positions']);
    expect(first.absent).toEqual(['components', 'summary', 'pairs']);
    expect(existsSync(join(old, 'tables', 'components.parquet'))).toBe(false);
    await writeSampleTables('010', newer);
    expect((await writeSampleTables('010', newer)).current).toEqual(['branches', 'nodes', 'positions']);

    const study = await loadStudy(join(dir, 'study.yaml'));
    const b = await queryStudy(study, 'SELECT sample, branch_id, length_um, length_vox, src_x_vox, dst_z_vox FROM branches ORDER BY sample, branch_id');
    expect(b.rows).toEqual([
      ['007', 0, 4.5, null, 3, 5],
      ['010', 0, 2.25, 4.5, 7, 1],
      ['010', 1, 1, 2, 3, 1],
    ]);
    const s = await queryStudy(study, 'SELECT sample, strain FROM samples ORDER BY sample');
    expect(s.rows).toEqual([['007', 'B6'], ['010', 'C3H']]);
    const p = await queryStudy(study, 'SELECT tile, x_vox, nominal_only FROM positions WHERE sample = \'010\' ORDER BY tile');
    expect(p.rows).toEqual([['a', 0, false], ['b', 54.5, true]]);
    const c = await queryStudy(study, 'SELECT count(*) AS n FROM components');
    expect(c.rows).toEqual([[0]]);
  });
});

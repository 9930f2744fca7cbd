import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStudy } from '../../src/study/load-study.js';

function studyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-load-study-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const CAMPAIGN = 'store: ./s.zarr\nworkdir: ./out\ngrid: { tiles: [1, 1, 2], overlap: 0.1, array: "t_{z}_{y}_{x}" }\n';

describe('loadStudy', () => {
  it('takes sample ids from the folders a glob matches, sorted, with ** too', async () => {
    const dir = studyDir({ 'a/b2/campaign.yaml': CAMPAIGN, 'a/b1/campaign.yaml': CAMPAIGN, 'c/deep/b3/campaign.yaml': CAMPAIGN, 'study.yaml': 'study: s\nsamples: "**/campaign.yaml"\n' });
    const s = await loadStudy(join(dir, 'study.yaml'));
    expect(s.name).toBe('s');
    expect(s.samples.map((x) => [x.id, x.campaign])).toEqual([
      ['b1', join(dir, 'a/b1/campaign.yaml')],
      ['b2', join(dir, 'a/b2/campaign.yaml')],
      ['b3', join(dir, 'c/deep/b3/campaign.yaml')],
    ]);
  });

  it('takes a list with metadata columns, paths relative to the study file', async () => {
    const dir = studyDir({ 'study.yaml': 'study: s\nsamples:\n  - { id: m1, campaign: x/c.yaml, strain: B6, age: 10 }\n  - { id: m2, campaign: /abs/c.yaml, strain: C3H, age: 12 }\n' });
    const s = await loadStudy(join(dir, 'study.yaml'));
    expect(s.samples).toEqual([
      { id: 'm1', campaign: join(dir, 'x/c.yaml'), metadata: { strain: 'B6', age: 10 } },
      { id: 'm2', campaign: '/abs/c.yaml', metadata: { strain: 'C3H', age: 12 } },
    ]);
  });

  it('names the file, line and key of a mistake', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['unknown key', { 'study.yaml': 'study: s\nsamples: ./*/c.yaml\nmetdata: m.csv\n' }, /study\.yaml:3: metdata: unknown key "metdata"/],
      ['duplicate id', { 'study.yaml': 'study: s\nsamples:\n  - { id: m1, campaign: a.yaml }\n  - { id: m1, campaign: b.yaml }\n' }, /study\.yaml:4: samples\[1\]\.id: duplicate sample id "m1"/],
      ['bad id', { 'study.yaml': 'study: s\nsamples:\n  - { id: "m 1", campaign: a.yaml }\n' }, /samples\[0\]\.id: sample ids may hold/],
      ['empty glob', { 'study.yaml': 'study: s\nsamples: ./none/*/c.yaml\n' }, /study\.yaml:2: samples: the glob "\.\/none\/\*\/c\.yaml" matches no campaign file/],
      ['metadata without id', { 'a/c.yaml': CAMPAIGN, 'm.csv': 'name,age\na,1\n', 'study.yaml': 'study: s\nsamples: ./*/c.yaml\nmetadata: m.csv\n' }, /study\.yaml:3: metadata: .*m\.csv has no column "id"/],
      ['missing study name', { 'study.yaml': 'samples: ./*/c.yaml\n' }, /study\.yaml:1: study: Invalid input: expected string/],
      ['reserved column', { 'study.yaml': 'study: s\nsamples:\n  - { id: m1, campaign: a.yaml, sample: x }\n' }, /samples\[0\]\.sample: "sample" is a column stitchgraph fills in/],
    ];
    for (const [what, files, message] of cases) {
      const dir = studyDir(files);
      await expect(loadStudy(join(dir, 'study.yaml')), what).rejects.toThrow(message);
    }
    await expect(loadStudy('/nonexistent/study.yaml')).rejects.toThrow(/Cannot load study \/nonexistent\/study\.yaml: no such file/);
  });
});

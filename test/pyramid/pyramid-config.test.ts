import { describe, it, expect } from 'vitest';
import { parseCampaignConfig } from '../../src/campaign/load-config.js';

const BASE = 'store: s.zarr\nworkdir: w\ntiles:\n  - { id: a, array: a, position: [0, 0, 0] }\n';

describe('the pyramid section of a campaign', () => {
  it('has documented defaults and resolves store relative to the YAML', () => {
    const d = parseCampaignConfig(BASE, '/data/c.yaml').config.pyramid;
    expect(d).toEqual({ memory_mb: 256, min_size: 32, max_levels: 10, chunk: [64, 128, 128], build: true });
    const s = parseCampaignConfig(`${BASE}pyramid: { store: ../p.zarr, memory_mb: 64 }\n`, '/data/c.yaml').config.pyramid;
    expect(s.store).toBe('/p.zarr');
    expect(s.memory_mb).toBe(64);
  });

  it('names a misspelt key and a bad value with their line', () => {
    expect(() => parseCampaignConfig(`${BASE}pyramid: { memroy_mb: 64 }\n`, '/data/c.yaml')).toThrow(/Cannot load campaign \/data\/c.yaml:5: pyramid.memroy_mb: unknown key "memroy_mb"/);
    expect(() => parseCampaignConfig(`${BASE}pyramid:\n  chunk: [0, 128, 128]\n`, '/data/c.yaml')).toThrow(/c.yaml:6: pyramid.chunk\[0\]/);
  });
});

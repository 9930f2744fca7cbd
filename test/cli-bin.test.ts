import { describe, it, expect } from 'vitest';
import { statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/run-cli.js';

// `npm test` builds dist/ first (scripts/setup.sh), as `npm ci` does through `prepare`.
describe('the stitchgraph executable', () => {
  it('is built executable and lists every command of the contract', () => {
    const bin = join(repoRoot, 'dist', 'cli', 'main.js');
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const r = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const cmd of ['synth', 'import', 'pyramid', 'register', 'optimize', 'view', 'fuse', 'analyze', 'run', 'worker', 'serve', 'export-bdv', 'import-bdv', 'study', 'query', 'gallery']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
    expect(r.stdout).not.toMatch(/not built yet/);
  });
});

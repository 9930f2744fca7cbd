import { describe, it, expect } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('the stitchgraph launcher (bin/stitchgraph)', () => {
  const launcher = join(repoRoot, 'bin', 'stitchgraph');

  it('starts the built CLI', () => {
    expect(statSync(launcher).mode & 0o111).not.toBe(0);
    const r = spawnSync(launcher, ['--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}register /m);
  });

  it('asks glibc for huge pages, keeping the tunables the user set', () => {
    // A `node` first on PATH that prints what it was given, to see the launcher's environment.
    const dir = mkdtempSync(join(tmpdir(), 'sg-launcher-'));
    writeFileSync(join(dir, 'node'), '#!/bin/sh\necho "$GLIBC_TUNABLES|$*"\n', { mode: 0o755 });
    const run = (tunables: string | undefined) => {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
      if (tunables === undefined) delete env.GLIBC_TUNABLES;
      else env.GLIBC_TUNABLES = tunables;
      return spawnSync(launcher, ['run', 'a b.yaml'], { encoding: 'utf8', env }).stdout.trim();
    };
    expect(run(undefined)).toBe(`glibc.malloc.hugetlb=1|${repoRoot}/bin/../dist/cli/main.js run a b.yaml`);
    expect(run('glibc.malloc.arena_max=2').split('|')[0]).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(run('glibc.malloc.hugetlb=0').split('|')[0]).toBe('glibc.malloc.hugetlb=0');
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { runCli, repoRoot } from '../helpers/run-cli.js';

const RECIPE = { grid: [1, 2, 2] as [number, number, number], tileShape: [24, 72, 72] as [number, number, number], overlap: 0.2, stageError: 4, seed: 11, extraConfig: { fusion: { enabled: true, chunk: [16, 48, 48] }, analysis: { min_size: 20, block: 48 }, distributed: { mode: 'local', workers: 1 } } };

/** Result files with their timing fields removed: what must be identical run to run. */
function results(workdir: string): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !['seconds', 'finished_at', 'time'].includes(k)).map(([k, x]) => [k, strip(x)]));
    // Files named by absolute path (the segmentation mask) differ only by where the workdir is.
    return typeof v === 'string' ? v.replace(workdir, '<workdir>') : v;
  };
  const json = (f: string) => strip(JSON.parse(readFileSync(join(workdir, f), 'utf8')));
  const text = (f: string) => readFileSync(join(workdir, f), 'utf8');
  return {
    pairs: json('pairs.json'),
    positions: json('positions.json'),
    summary: json('network/summary.json'),
    branches: text('network/branches.csv'),
    nodes: text('network/nodes.csv'),
    components: text('network/components.csv'),
    fused: readdirSync(join(workdir, 'fused.ome.zarr', '0')).sort(),
  };
}

describe('stitchgraph run', () => {
  let reference: Record<string, unknown>;
  let configPath: string;
  let workdir: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-run-'));
    const syn = await synthCampaign({ ...RECIPE, outDir: dir });
    configPath = syn.configPath;
    workdir = join(dir, 'out');
    const r = await runCli(['run', configPath, '--log-level', 'warn']);
    expect(r.stderr).not.toMatch(/stitchgraph: /);
    expect(r.code).toBe(0);
    reference = results(workdir);
  }, 240_000);

  it('runs every stage and writes every output', () => {
    for (const f of ['pairs.json', 'positions.json', 'TileConfiguration.registered.txt', 'fused.ome.zarr/.zattrs', 'network/summary.json', 'network/branches.csv', 'network/nodes.csv', 'network/components.csv', 'network/graph.graphml', 'network/skeleton.swc', 'report.html', 'report/slice-yx.png', 'report/layout-top.svg', '.stitchgraph/stages.json', 'bigstitcher.xml', 'bigstitcher.ome.zarr/t_0_0_0/.zattrs']) {
      expect(existsSync(join(workdir, f)), f).toBe(true);
    }
    const pairs = (reference.pairs as { pairs: { status: string }[] }).pairs;
    expect(pairs.filter((p) => p.status === 'ok').length).toBeGreaterThanOrEqual(4);
    const positions = reference.positions as { tiles: Record<string, { position: number[] }> };
    expect(Object.keys(positions.tiles)).toHaveLength(4);
    const summary = reference.summary as { n_branches: number; total_length_um: number };
    expect(summary.n_branches).toBeGreaterThan(0);
    expect(summary.total_length_um).toBeGreaterThan(0);
    const html = readFileSync(join(workdir, 'report.html'), 'utf8');
    expect(html).toContain('pairs accepted');
    expect(html).toContain('data:image/png;base64,');
  });

  it('does nothing on a rerun and says so', async () => {
    const before = readFileSync(join(workdir, '.stitchgraph', 'stages.json'), 'utf8');
    const r = await runCli(['run', configPath, '--log-level', 'warn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to do: every stage is up to date/);
    expect(readFileSync(join(workdir, '.stitchgraph', 'stages.json'), 'utf8')).toBe(before);
    expect(results(workdir)).toEqual(reference);
  });

  it('reruns registration and what follows when a registration parameter changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-run-change-'));
    const syn = await synthCampaign({ ...RECIPE, outDir: dir });
    expect((await runCli(['run', syn.configPath, '--log-level', 'warn'])).code).toBe(0);
    const text = readFileSync(syn.configPath, 'utf8');
    writeFileSync(syn.configPath, text + 'registration: { peaks: 3 }\n');
    const r = await runCli(['run', syn.configPath, '--log-level', 'warn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/register ran/);
    expect(r.stdout).toMatch(/stages: pyramid up to date, register ran.*optimize ran.*fuse ran.*analyze ran.*report ran/);
    // Changing an optimisation parameter reruns optimize and what follows, never register.
    writeFileSync(syn.configPath, text + 'registration: { peaks: 3 }\noptimization: { max_error: 2.5 }\n');
    const r2 = await runCli(['run', syn.configPath, '--log-level', 'warn']);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/register up to date/);
    expect(r2.stdout).toMatch(/optimize ran.*fuse ran.*analyze ran/);
  }, 240_000);

  it('killed in the middle and started again, finishes with results identical to an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-run-kill-'));
    const syn = await synthCampaign({ ...RECIPE, outDir: dir });
    const wd = join(dir, 'out');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'run', syn.configPath, '--log-level', 'warn'], { cwd: repoRoot, stdio: 'ignore' });
    // Kill it as soon as registration has finished (the manifest records it): mid-pipeline.
    const killedAt = await new Promise<string>((resolve) => {
      const timer = setInterval(() => {
        const m = join(wd, '.stitchgraph', 'stages.json');
        if (existsSync(m) && readFileSync(m, 'utf8').includes('"register"')) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve(readFileSync(m, 'utf8'));
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        resolve('exited');
      });
    });
    expect(killedAt).not.toBe('exited');
    expect(killedAt).not.toContain('"report"');
    const r = await runCli(['run', syn.configPath, '--log-level', 'warn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/register up to date/);
    expect(results(wd)).toEqual(reference);
  }, 240_000);
});

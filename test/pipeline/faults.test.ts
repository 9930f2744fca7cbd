/**
 * Fault injection on the local pipeline: kill -9 during `fuse` and `register`, and two `register`s at once on one
 * workdir. Each compares the result with an undisturbed run of the same synthetic campaign and
 * counts what the rerun recomputed.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { synthCampaign, type SynthOptions } from '../../src/synth/synth-campaign.js';
import { openCampaign } from '../../src/campaign/open-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { fuseCampaign } from '../../src/stitch/fuse-campaign.js';
import { runCli, repoRoot } from '../helpers/run-cli.js';

const RECIPE: Omit<SynthOptions, 'outDir'> = { grid: [1, 2, 2], tileShape: [8, 48, 48], overlap: 0.2, stageError: 3, seed: 5, extraConfig: { fusion: { chunk: [8, 8, 8] }, distributed: { mode: 'local', workers: 1 } } };
const DONE_LOG = '.stitchgraph-fuse-done.log';

/** pairs.json without timings: what must not depend on how the run went. */
function pairsOf(workdir: string): unknown {
  const p = JSON.parse(readFileSync(join(workdir, 'pairs.json'), 'utf8')) as { pairs: Record<string, unknown>[] };
  return { ...p, pairs: p.pairs.map(({ seconds: _s, ...rest }) => rest) };
}

/** Every chunk file of a fused OME-Zarr (levels 0, 1, …), by relative path. */
function chunksOf(out: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (!n.startsWith('.')) files.set(relative(out, p), readFileSync(p).toString('base64'));
    }
  };
  for (const level of readdirSync(out).filter((n) => /^\d+$/.test(n))) walk(join(out, level));
  return files;
}

async function copyOfCampaign(grid: SynthOptions['grid'] = RECIPE.grid): Promise<{ config: string; workdir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-faults-'));
  const syn = await synthCampaign({ ...RECIPE, grid, outDir: dir });
  return { config: syn.configPath, workdir: join(dir, 'out') };
}

describe('pipeline faults: a kill during fuse or register, two runs at once', () => {
  let reference: { pairs: unknown; chunks: Map<string, string>; nPairs: number };
  let reference3x3: { pairs: unknown; nPairs: number };

  beforeAll(async () => {
    const { config, workdir } = await copyOfCampaign();
    const campaign = await openCampaign(config);
    const reg = await registerCampaign(campaign);
    const fused = await fuseCampaign(campaign, { positions: null });
    reference = { pairs: pairsOf(workdir), chunks: chunksOf(fused.out), nPairs: reg.pairs.pairs.length };
    const big = await copyOfCampaign([1, 3, 3]);
    const reg3 = await registerCampaign(big.config);
    reference3x3 = { pairs: pairsOf(big.workdir), nPairs: reg3.pairs.pairs.length };
  }, 120_000);

  it('kill -9 during fuse, then rerun: the same volume, only the blocks not yet logged are fused again', async () => {
    const { config, workdir } = await copyOfCampaign();
    const out = join(workdir, 'fused.ome.zarr');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'fuse', config, '--log-level', 'warn'], { cwd: repoRoot, stdio: 'ignore' });
    const logged = await new Promise<number>((resolve) => {
      const timer = setInterval(() => {
        const n = existsSync(join(out, DONE_LOG)) ? readFileSync(join(out, DONE_LOG), 'utf8').split('\n').filter(Boolean).length : 0;
        if (n >= 5) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve(n);
        }
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve(-1);
      });
    });
    expect(logged, 'fuse ended before it could be killed').toBeGreaterThanOrEqual(5);
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r(null)));
    const keptBlocks = readFileSync(join(out, DONE_LOG), 'utf8').split('\n').filter(Boolean);
    const r = await runCli(['fuse', config, '--log-level', 'info']);
    expect(r.code, r.stderr).toBe(0);
    const fused = JSON.parse(r.stderr.split('\n').find((l) => l.includes('"msg":"fused"')) ?? '{}') as { blocks: number; skipped: number };
    // Every block logged before the kill is reused; the rerun fuses only the others.
    expect(fused.skipped).toBe(keptBlocks.length);
    const log = readFileSync(join(out, DONE_LOG), 'utf8').split('\n').filter(Boolean);
    expect(new Set(log).size, 'a block logged twice').toBe(log.length);
    expect(chunksOf(out)).toEqual(reference.chunks);
  }, 120_000);

  it('kill -9 of a local `register`, then rerun: the same pairs, only the pairs not yet journaled are computed again', async () => {
    const { config, workdir } = await copyOfCampaign([1, 3, 3]);
    const journal = join(workdir, '.pairs.journal.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'register', config, '--workers', '1', '--log-level', 'warn'], { cwd: repoRoot, stdio: 'ignore' });
    const journaled = await new Promise<number>((resolve) => {
      const timer = setInterval(() => {
        const n = existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length : 0;
        if (n >= 3) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve(n);
        }
      }, 10);
      child.on('exit', () => {
        clearInterval(timer);
        resolve(-1);
      });
    });
    expect(journaled, 'register ended before it could be killed').toBeGreaterThanOrEqual(3);
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r(null)));
    const kept = readFileSync(journal, 'utf8').split('\n').filter(Boolean).length;
    const r = await runCli(['register', config, '--workers', '1', '--log-level', 'warn']);
    expect(r.code, r.stderr).toBe(0);
    const [, computed, reused] = (/\((\d+) computed, (\d+) reused/.exec(r.stderr) ?? []).map(Number);
    // Nothing journaled is recomputed: the first life wasted at most its one job in flight.
    expect(reused).toBe(kept);
    expect(computed + reused).toBe(reference3x3.nPairs);
    expect(pairsOf(workdir)).toEqual(reference3x3.pairs);
    expect(existsSync(journal)).toBe(false);
  }, 120_000);

  it('two `register`s at once on one workdir: the second waits for the lock and reuses every pair', async () => {
    const { config, workdir } = await copyOfCampaign();
    const [a, b] = await Promise.all([runCli(['register', config, '--wait-lock', '--log-level', 'warn']), runCli(['register', config, '--wait-lock', '--log-level', 'warn'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const computed = [a, b].map((r) => Number(/\((\d+) computed, (\d+) reused/.exec(r.stderr)?.[1]));
    // Exactly one of them computed the pairs, once each.
    expect(computed.sort((x, y) => x - y)).toEqual([0, reference.nPairs]);
    expect(pairsOf(workdir)).toEqual(reference.pairs);
    expect(existsSync(join(workdir, '.stitchgraph.lock'))).toBe(false);
  }, 120_000);
});

/**
 * Every row of the bad-input table in docs/errors.md: the command, the one `stitchgraph:` line it
 * ends with, and its exit status (2: usage, 1: failure). Keep the two in step.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign } from '../../src/synth/synth-campaign.js';
import { acquireWorkdirLock, type WorkdirLock } from '../../src/files/workdir-lock.js';
import { runCli } from '../helpers/run-cli.js';

interface Row {
  input: string;
  args: () => string[];
  message: RegExp;
  code: number;
}

const dir = mkdtempSync(join(tmpdir(), 'sg-errors-'));
const at = (f: string) => join(dir, f);
let held: WorkdirLock;

/** A campaign YAML over the synthetic store, with `extra` lines and tiles. */
function yaml(name: string, extra: string, tiles = '  - { id: t_0_0_0, array: tiles/t_0_0_0, position: [0, 0, 0] }\n  - { id: t_0_0_1, array: tiles/t_0_0_1, position: [0, 0, 20] }\n'): string {
  writeFileSync(at(name), `store: ./synth.zarr\nworkdir: ./${name}.out\n${extra}tiles:\n${tiles}`);
  return at(name);
}

const ROWS: Row[] = [
  { input: 'unknown command', args: () => ['frobnicate'], message: /^unknown command 'frobnicate'/, code: 2 },
  { input: 'unknown option', args: () => ['register', at('ok.yaml'), '--bogus'], message: /^unknown option '--bogus'/, code: 2 },
  { input: 'bad --workers value', args: () => ['register', at('ok.yaml'), '--workers', 'zero'], message: /--workers must be a positive integer, not "zero"/, code: 2 },
  { input: 'bad --pos value', args: () => ['view', at('ok.yaml'), '--pos', '0,0', '--size', '1,8,8', '--out', at('v.tif')], message: /^Cannot parse --pos "0,0": expected three numbers/, code: 2 },
  { input: 'missing campaign file', args: () => ['register', at('nope.yaml')], message: /^Cannot load campaign .*nope\.yaml: no such file/, code: 1 },
  { input: 'a 2-D tile among 3-D tiles', args: () => ['register', at('mixed.yaml')], message: /tile "plane" is 2-D \(1×24×24\) but tile "t_0_0_0" is 3-D/, code: 1 },
  { input: 'workdir that cannot be written', args: () => ['register', at('unwritable.yaml')], message: /^Cannot create workdir .*a-file\/out: a file is in the way/, code: 1 },
  { input: 'workdir in use by another process', args: () => ['register', at('locked.yaml')], message: new RegExp(`^Cannot use workdir .*locked\\.yaml\\.out: it is in use by pid ${process.pid}`), code: 1 },
  { input: 'view too large to allocate', args: () => ['view', at('ok.yaml'), '--pos', '0,0,0', '--size', '4000,4000,4000', '--out', at('big.npy')], message: /^Cannot make a view of --size 4000,4000,4000: .* more than one view can hold/, code: 1 },
  { input: 'missing --tls-ca file', args: () => ['worker', '--servers', 'nats://127.0.0.1:1', '--tls-ca', at('no-ca.pem')], message: /^Cannot read the TLS ca file .*no-ca\.pem: no such file/, code: 1 },
  { input: 'corrupt pairs.json', args: () => ['optimize', at('corrupt.yaml')], message: /pairs\.json: not valid JSON/, code: 1 },
  { input: 'pair jobs that fail (a tile with an unreadable chunk)', args: () => ['register', at('broken.yaml'), '--workers', '1'], message: /^Cannot register every pair: 1 pair job\(s\) failed \(first t_0_0_0~broken: job failed: /, code: 1 },
];

describe('docs/errors.md: bad inputs end in one `stitchgraph:` line and the documented exit status', () => {
  beforeAll(async () => {
    await synthCampaign({ outDir: dir, grid: [1, 1, 2], tileShape: [4, 24, 24], seed: 1 });
    await synthCampaign({ outDir: at('flat'), grid: [1, 1, 1], tileShape: [1, 24, 24], seed: 1 });
    symlinkSync(at('flat/synth.zarr/tiles/t_0_0_0'), at('synth.zarr/tiles/plane'));
    yaml('ok.yaml', '');
    yaml('mixed.yaml', '', '  - { id: t_0_0_0, array: tiles/t_0_0_0, position: [0, 0, 0] }\n  - { id: plane, array: tiles/plane, position: [0, 0, 20] }\n');
    writeFileSync(at('a-file'), 'not a folder');
    writeFileSync(at('unwritable.yaml'), `store: ./synth.zarr\nworkdir: ./a-file/out\ntiles:\n  - { id: t_0_0_0, array: tiles/t_0_0_0, position: [0, 0, 0] }\n`);
    yaml('locked.yaml', '');
    held = await acquireWorkdirLock(at('locked.yaml.out'), { command: 'the test' });
    yaml('corrupt.yaml', '');
    mkdirSync(at('corrupt.yaml.out'));
    writeFileSync(at('corrupt.yaml.out/pairs.json'), '{"pairs": [');
    // A copy of tile t_0_0_1 whose every chunk is garbage: its pair job fails on the read.
    const broken = at('synth.zarr/tiles/broken');
    mkdirSync(broken);
    copyFileSync(at('synth.zarr/tiles/t_0_0_1/zarr.json'), join(broken, 'zarr.json'));
    mkdirSync(join(broken, 'c/0/0'), { recursive: true });
    writeFileSync(join(broken, 'c/0/0/0'), Buffer.from('definitely not a compressed chunk'));
    yaml('broken.yaml', '', '  - { id: t_0_0_0, array: tiles/t_0_0_0, position: [0, 0, 0] }\n  - { id: broken, array: tiles/broken, position: [0, 0, 20] }\n');
  }, 60_000);
  afterAll(async () => {
    await held?.release();
  });

  it.concurrent.each(ROWS)('$input → exit $code', async (row) => {
    const r = await runCli([...row.args(), '--log-level', 'error'], { timeoutMs: 90_000 });
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(last, r.stderr).toMatch(/^stitchgraph: /);
    expect(last.replace(/^stitchgraph: /, '')).toMatch(row.message);
    expect(r.code, r.stderr).toBe(row.code);
  }, 120_000);

  it('a view entirely outside the volume is written (all fill) with a warning', async () => {
    const r = await runCli(['view', at('ok.yaml'), '--pos', '500,500,500', '--size', '1,8,8', '--out', at('outside.npy'), '--log-level', 'warn'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('lies entirely outside the volume');
  }, 120_000);
});

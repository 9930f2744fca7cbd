import { describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthCampaign, type SynthOptions, type SynthResult } from '../../src/synth/synth-campaign.js';
import { registerCampaign } from '../../src/registration/register-campaign.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import type { Executor, Job, JobOutcome, RunOptions } from '../../src/distributed/executor.js';
import type { PairRecord } from '../../src/formats/pairs.js';
import type { Vec3 } from '../../src/geometry/box.js';
import { createArray, createGroup, writeRegion } from '../../src/zarrio/write-array.js';
import { hasStructure, median, shiftError } from './_helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-reg-'));

async function synthAndRegister(opts: Omit<SynthOptions, 'outDir'>, registration: Record<string, unknown> = {}): Promise<{ res: SynthResult; pairs: PairRecord[]; file: string }> {
  const res = await synthCampaign({ outDir: tmp(), ...opts, extraConfig: { registration } });
  const out = await registerCampaign(res.configPath);
  return { res, pairs: out.pairs.pairs, file: out.file };
}

/** The accuracy contract of issue #3 on one campaign. */
function expectAccurate(res: SynthResult, pairs: PairRecord[], tileShape: Vec3): number {
  const ok = pairs.filter((p) => p.status === 'ok');
  const errors = ok.map((p) => shiftError(res, p));
  for (const p of pairs) {
    if (hasStructure(res, p, tileShape)) expect({ pair: `${p.a}-${p.b}`, status: p.status, reason: p.reason }).toMatchObject({ status: 'ok' });
  }
  for (const [i, p] of ok.entries()) expect({ pair: `${p.a}-${p.b}`, error: errors[i] }).toSatisfy((v: { error: number }) => v.error <= 0.5);
  expect(ok.length).toBeGreaterThan(0);
  const med = median(errors);
  expect(med).toBeLessThanOrEqual(0.15);
  return med;
}

describe('registerCampaign on synthetic campaigns with known truth', () => {
  it('3-D: 20 % overlap, stage error ±7.5 per tile (up to ±15 between neighbours), noise and gain: accurate to a fraction of a voxel', async () => {
    const tile: Vec3 = [96, 96, 96];
    const { res, pairs } = await synthAndRegister({ seed: 4, grid: [2, 2, 2], tileShape: tile, overlap: 0.2, stageError: 7.5, noise: 0.04 });
    expect(pairs.length).toBe(28);
    expectAccurate(res, pairs, tile);
  });

  it('2-D: 15 % overlap, stage error ±15 per tile, search margin that covers it, threshold learned from non-overlapping regions (thin corner overlaps can pass the fixed 0.3 by chance)', async () => {
    const tile: Vec3 = [1, 256, 256];
    const { res, pairs } = await synthAndRegister({ seed: 3, grid: [1, 3, 3], tileShape: tile, overlap: 0.15, stageError: 15, noise: 0.02 }, { search_margin: [0, 32, 32], threshold: 'permutation' });
    expect(pairs.length).toBe(20);
    expect(pairs.every((p) => p.shift[0] === 0)).toBe(true);
    expectAccurate(res, pairs, tile);
  });

  it('rejects the pairs of a blank tile with the reason, and keeps the others', async () => {
    const tile: Vec3 = [1, 128, 128];
    const { res, pairs } = await synthAndRegister({ seed: 5, grid: [1, 2, 2], tileShape: tile, overlap: 0.2, stageError: 4, noise: 0.02, blankTiles: ['t_0_0_1'] });
    for (const p of pairs) {
      if (p.a === 't_0_0_1' || p.b === 't_0_0_1') {
        expect(p).toMatchObject({ status: 'rejected', reason: 'blank or constant overlap' });
        expect(p.shift).toEqual(p.nominal_shift);
      }
    }
    expectAccurate(res, pairs, tile);
  });

  it('tomography: a cylindrical field of view (corners zero) registers as accurately as the full field', async () => {
    const tile: Vec3 = [48, 96, 96];
    const base = { seed: 6, grid: [2, 1, 2] as Vec3, tileShape: tile, overlap: 0.25, stageError: 2, noise: 0.03 };
    const full = await synthAndRegister({ ...base, fieldOfView: 'full' });
    const cyl = await synthAndRegister({ ...base, fieldOfView: 'cylinder' });
    const medFull = expectAccurate(full.res, full.pairs, tile);
    const medCyl = expectAccurate(cyl.res, cyl.pairs, tile);
    expect(medCyl).toBeLessThanOrEqual(medFull + 0.05);
    // Every face pair (its overlap holds image inside both circles) is accepted with a cylinder too.
    const faces = cyl.pairs.filter((p) => p.nominal_shift!.filter((v) => v !== 0).length === 1);
    expect(faces.length).toBe(4);
    for (const p of faces) expect({ pair: `${p.a}-${p.b}`, status: p.status, reason: p.reason }).toMatchObject({ status: 'ok' });
  });
});

/** Runs jobs inline, but dies after `after` outcomes, as a crashed coordinator would. */
class CrashingExecutor implements Executor {
  readonly name = 'crashing';
  private readonly inner = new InlineExecutor();
  constructor(private readonly after: number) {}
  async *run<P, R>(jobs: Job<P>[], opts?: RunOptions): AsyncIterable<JobOutcome<R>> {
    let n = 0;
    for await (const o of this.inner.run<P, R>(jobs, opts)) {
      if (n++ === this.after) throw new Error('simulated crash');
      yield o;
    }
  }
  async close(): Promise<void> {}
}

const withoutTiming = (pairs: PairRecord[]) => pairs.map(({ seconds: _s, ...rest }) => rest);

describe('registerCampaign: resume, crash safety, determinism', () => {
  it('does not recompute pairs already in pairs.json, and loses little when a run dies', async () => {
    const res = await synthCampaign({ outDir: tmp(), seed: 7, grid: [1, 2, 3], tileShape: [1, 96, 96], overlap: 0.2, stageError: 3, noise: 0.02 });
    const first = await registerCampaign(res.configPath);
    const n = first.pairs.pairs.length;
    // Pairs whose match lay past the margin were searched a second time, wider (one more job each).
    const widened = first.pairs.pairs.filter((p) => Array.isArray(p.search_margin)).length;
    expect(first.computed).toBe(n + widened);
    const again = await registerCampaign(res.configPath);
    expect(again).toMatchObject({ computed: 0, reused: n });
    expect(withoutTiming(again.pairs.pairs)).toEqual(withoutTiming(first.pairs.pairs));

    // A crash after 3 pairs: those 3 are on disk; the rerun computes only the rest, same result.
    await registerCampaign(res.configPath, { force: true, executor: new CrashingExecutor(3), flushSeconds: 0 }).then(
      () => expect.unreachable('the run should have died'),
      (err: Error) => expect(err.message).toMatch(/simulated crash/),
    );
    const partial = JSON.parse(readFileSync(first.file, 'utf8')) as { pairs: PairRecord[]; complete: boolean };
    expect(partial.pairs.length).toBe(3);
    expect(partial.complete).toBe(false);
    const resumed = await registerCampaign(res.configPath);
    expect(resumed).toMatchObject({ computed: n - 3 + widened, reused: 3 });
    expect(withoutTiming(resumed.pairs.pairs)).toEqual(withoutTiming(first.pairs.pairs));

    // Moving a tile changes its pairs' keys: only those are recomputed.
    const yaml = readFileSync(res.configPath, 'utf8').replace(/(id: t_0_1_2\n\s+array: tiles\/t_0_1_2\n\s+position: \[ 0, )(\d+)/, (_m, pre: string, y: string) => `${pre}${Number(y) + 2}`);
    writeFileSync(res.configPath, yaml);
    const moved = await registerCampaign(res.configPath);
    const touching = first.pairs.pairs.filter((p) => p.a === 't_0_1_2' || p.b === 't_0_1_2').length;
    expect(touching).toBeGreaterThan(0);
    expect(moved.reused).toBe(n - touching);
    expect(moved.computed).toBeGreaterThanOrEqual(touching);
    expect(moved.computed).toBeLessThanOrEqual(touching + widened);
  });

  it('permutation threshold: learned from non-overlapping regions; the face pairs of a tile whose content matches nothing are rejected', async () => {
    const res = await synthCampaign({ outDir: tmp(), seed: 8, grid: [1, 2, 2], tileShape: [1, 128, 128], overlap: 0.2, stageError: 3, noise: 0.02, extraConfig: { registration: { threshold: 'permutation' } } });
    // Replace one tile by its own mirror image: same statistics, content unrelated to its neighbours.
    const mirrored = res.renderer.render(res.truth.tiles.t_0_1_1.position, [1, 128, 128]);
    const out = new Uint16Array(128 * 128);
    for (let j = 0; j < 128; j++) for (let i = 0; i < 128; i++) out[j * 128 + i] = Math.round(400 + 2000 * mirrored[j * 128 + (127 - i)]);
    const arr = await createArray(res.storePath, 'tiles/t_0_1_1', { shape: [1, 128, 128], chunks: [1, 64, 64], dtype: 'uint16' });
    await writeRegion(arr, [0, 0, 0], [1, 128, 128], out);

    const { pairs: file } = await registerCampaign(res.configPath);
    // A null sample counts with the best match its search found, inside the margin or past it.
    const nulls = (file.null_samples as PairRecord[]).filter((r) => r.status === 'ok' || /^correlation|^no distinct|^shift beyond/.test(r.reason ?? ''));
    expect(nulls.length).toBeGreaterThan(2);
    const nullMax = Math.max(...nulls.map((r) => r.correlation));
    expect(file.min_correlation).toBeCloseTo(Math.max(0.3, nullMax), 6);
    // Unrelated content correlates far below real overlaps.
    const real = file.pairs.filter((p) => p.status === 'ok').map((p) => p.correlation);
    expect(nullMax).toBeLessThan(Math.min(...real));
    for (const p of file.pairs) {
      const face = p.nominal_shift!.filter((v) => v !== 0).length === 1;
      if (face) expect({ pair: `${p.a}-${p.b}`, status: p.status }).toEqual({ pair: `${p.a}-${p.b}`, status: p.a === 't_0_1_1' || p.b === 't_0_1_1' ? 'rejected' : 'ok' });
      if (p.status === 'ok') expect(p.correlation).toBeGreaterThanOrEqual(file.min_correlation!);
    }
  });
});

describe('registerCampaign: tiles of different shapes and data types, NaN', () => {
  it('registers a float32 tile with NaN against a uint8 tile of another shape', async () => {
    const dir = tmp();
    const res = await synthCampaign({ outDir: dir, seed: 9, grid: [1, 1, 2], tileShape: [1, 128, 160], overlap: 0.25, stageError: 2, noise: 0 });
    const pa = res.truth.tiles.t_0_0_0.position, pb = res.truth.tiles.t_0_0_1.position;
    const store = join(dir, 'mixed.zarr');
    await createGroup(store, '/');
    const a = res.renderer.render(pa, [1, 128, 160]);
    const fa = new Float32Array(a.length);
    for (let o = 0; o < a.length; o++) fa[o] = 100 + 1000 * a[o];
    for (let j = 0; j < 128; j++) for (let i = 140; i < 146; i++) fa[j * 160 + i] = NaN; // a dead stripe inside the overlap
    const b = res.renderer.render(pb, [1, 112, 150]);
    const ub = Uint8Array.from(b, (v) => Math.round(20 + 200 * v));
    await writeRegion(await createArray(store, 'a', { shape: [1, 128, 160], chunks: [1, 64, 64], dtype: 'float32' }), [0, 0, 0], [1, 128, 160], fa);
    await writeRegion(await createArray(store, 'b', { shape: [1, 112, 150], chunks: [1, 64, 64], dtype: 'uint8' }), [0, 0, 0], [1, 112, 150], ub);
    const nomB = [0, Math.round(pb[1] - pa[1]) + 3, Math.round(pb[2] - pa[2]) - 4];
    const yaml = join(dir, 'mixed.yaml');
    writeFileSync(yaml, `store: ./mixed.zarr\nworkdir: ./mixed-out\ntiles:\n  - { id: a, array: a, position: [0, 0, 0] }\n  - { id: b, array: b, position: [${nomB.join(', ')}] }\n`);
    const { pairs } = await registerCampaign(yaml);
    expect(pairs.pairs).toHaveLength(1);
    const p = pairs.pairs[0];
    expect(p.status).toBe('ok');
    const truth = [0, pb[1] - pa[1], pb[2] - pa[2]];
    for (let ax = 1; ax < 3; ax++) expect(Math.abs(p.shift[ax] - truth[ax])).toBeLessThan(0.5);
    expect(existsSync(join(dir, 'mixed-out', 'pairs.json'))).toBe(true);
  });
});

import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerPoolExecutor } from '../../src/distributed/worker-pool-executor.js';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import { createExecutor } from '../../src/distributed/create-executor.js';
import { runJobs } from '../../src/distributed/run-jobs.js';
import { checksum } from '../../src/distributed/checksum-kind.js';
import { isStitchgraphError } from '../../src/errors.js';
import type { Executor, Job, JobOutcome } from '../../src/distributed/executor.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'test-kinds.ts');

async function collect(ex: Executor, jobs: Job[], onProgress?: (d: number, t: number) => void): Promise<Map<string, JobOutcome>> {
  const out = new Map<string, JobOutcome>();
  for await (const o of ex.run(jobs, { onProgress })) {
    expect(out.has(o.id)).toBe(false);
    out.set(o.id, o);
  }
  return out;
}

function batch(): Job[] {
  const jobs: Job[] = [];
  for (let i = 0; i < 8; i++) jobs.push({ id: `c${i}`, kind: 'checksum', payload: { seed: 1000 + i, n: 200_000 + i } });
  for (let i = 0; i < 4; i++) jobs.push({ id: `e${i}`, kind: 'echo', payload: { value: { i, text: `v${i}`, xs: [i / 3, -i] } } });
  // What plain JSON would lose: non-finite numbers, -0, typed arrays.
  jobs.push({ id: 'special', kind: 'echo', payload: { value: { min: Infinity, max: -Infinity, nan: NaN, z: -0, f: new Float32Array([1.5, NaN, -0]), i: new Int32Array([-7, 9]) } } });
  jobs.push({ id: 'bad', kind: 'echo', payload: { fail: 'deliberate failure' } });
  return jobs;
}

describe('local worker pool', () => {
  const pool = new WorkerPoolExecutor({ size: 2, preload: [fixtures] });
  afterAll(() => pool.close());

  it('gives the same outcomes as the inline reference, per-job errors included', async () => {
    const jobs = batch();
    const progress: number[] = [];
    const got = await collect(pool, jobs, (d, t) => {
      expect(t).toBe(jobs.length);
      progress.push(d);
    });
    const want = await collect(new InlineExecutor(), jobs);
    expect(progress).toEqual(jobs.map((_, i) => i + 1));
    expect(got.size).toBe(jobs.length);
    for (const [id, w] of want) {
      const g = got.get(id) as JobOutcome;
      expect(g.ok).toBe(w.ok);
      if (g.ok && w.ok) expect(g.value).toEqual(w.value);
      if (!g.ok && !w.ok) expect(g.error).toBe(w.error);
    }
    // The checksum values are computed, not copied: check one against a direct call.
    const c3 = got.get('c3') as Extract<JobOutcome, { ok: true }>;
    expect(c3.value).toEqual(checksum({ seed: 1003, n: 200_003 }));
    expect((got.get('bad') as Extract<JobOutcome, { ok: false }>).error).toBe('deliberate failure');
  });

  it('keeps the main thread responsive while the threads burn CPU', async () => {
    const jobs = Array.from({ length: 4 }, (_, i) => ({ id: `heavy${i}`, kind: 'checksum', payload: { seed: i + 1, n: 160_000_000 } }));
    let last = performance.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 10);
    const t0 = performance.now();
    await collect(pool, jobs);
    clearInterval(tick);
    const wall = performance.now() - t0;
    // The jobs take seconds in total; the event loop never stalls for a fraction of that.
    expect(wall).toBeGreaterThan(300);
    expect(worstGap).toBeLessThan(Math.max(150, wall / 4));
  });

  it('replaces a crashed thread: a job crashing once is retried, one crashing always fails, the rest run', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'sg-crash-')), 'marker');
    const jobs: Job[] = [
      { id: 'crash', kind: 'crash', payload: {} },
      { id: 'once', kind: 'crash-once', payload: { marker } },
      ...Array.from({ length: 4 }, (_, i) => ({ id: `ok${i}`, kind: 'echo', payload: { value: i } })),
    ];
    const got = await collect(pool, jobs);
    expect(got.size).toBe(jobs.length);
    const crash = got.get('crash') as JobOutcome;
    expect(crash.ok).toBe(false);
    if (!crash.ok) expect(crash.error).toMatch(/worker thread died twice/);
    expect(got.get('once')).toMatchObject({ ok: true, value: 'survived' });
    for (let i = 0; i < 4; i++) expect(got.get(`ok${i}`)).toMatchObject({ ok: true, value: i });
    // The pool still works afterwards.
    expect((await collect(pool, [{ id: 'after', kind: 'echo', payload: { value: 'alive' } }])).get('after')).toMatchObject({ ok: true, value: 'alive' });
  });

  it('cancels a run through its AbortSignal without waiting for running jobs', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => ({ id: `slow${i}`, kind: 'echo', payload: { value: i, sleep_ms: 20_000 } }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stopped by the test')), 300);
    const t0 = performance.now();
    const run = (async () => {
      for await (const o of pool.run(jobs, { signal: ac.signal })) void o;
    })();
    await expect(run).rejects.toThrow('stopped by the test');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect((await collect(pool, [{ id: 'after', kind: 'echo', payload: { value: 1 } }])).get('after')).toMatchObject({ ok: true });
  });

  it('runJobs throws one JobFailed naming the failures; createExecutor builds the pool from settings', async () => {
    const ex = await createExecutor({ mode: 'local', workers: 3 }, {}, { preload: [fixtures] });
    try {
      expect(ex.name).toBe('local');
      expect((ex as WorkerPoolExecutor).workers).toBe(3);
      const err = await runJobs(ex, batch()).catch((e: unknown) => e);
      expect(isStitchgraphError(err, 'JobFailed')).toBe(true);
      expect((err as Error).message).toMatch(/1 of 14 jobs failed; first: deliberate failure/);
    } finally {
      await ex.close();
    }
    const two = await createExecutor({ mode: 'local', workers: 3 }, { workers: 2 });
    expect((two as WorkerPoolExecutor).workers).toBe(2);
    await two.close();
  });
});

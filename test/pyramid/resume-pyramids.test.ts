import { describe, it, expect } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InlineExecutor } from '../../src/distributed/inline-executor.js';
import type { Executor, Job, JobOutcome, RunOptions } from '../../src/distributed/executor.js';
import { buildPyramids } from '../../src/pyramid/build-pyramids.js';
import { openTilePyramid } from '../../src/pyramid/open-tile-pyramid.js';
import type { Campaign } from '../../src/campaign/open-campaign.js';
import { pyramidCampaign } from './_pyramid-helpers.js';

/** The inline executor, counting the jobs it is given. */
class CountingExecutor implements Executor {
  readonly name = 'counting';
  jobs = 0;
  /** The identity (`work`) of each batch, as the NATS executor names its run from it. */
  works: string[] = [];
  private readonly inner = new InlineExecutor();
  run<P, R>(jobs: Job<P>[], opts?: RunOptions): AsyncIterable<JobOutcome<R>> {
    this.jobs += jobs.length;
    this.works.push(JSON.stringify(opts?.work));
    return this.inner.run<P, R>(jobs, opts);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function allLevels(campaign: Campaign): Promise<number[][]> {
  const out: number[][] = [];
  for (const t of campaign.tiles) {
    const p = await openTilePyramid(campaign, t.id);
    for (const l of p.levels.slice(1)) out.push(Array.from((await l.array.readRegion({ start: [0, 0, 0], size: l.shape })).data));
  }
  return out;
}

describe('pyramid build resume', () => {
  it('an interrupted build resumes, recomputes only missing blocks, and equals an undisturbed build', async () => {
    const campaign = await pyramidCampaign({ seed: 5 });
    const store = join(campaign.workdir, 'pyramids.zarr');

    // Undisturbed reference build in another store.
    campaign.config.pyramid.store = join(campaign.workdir, 'clean.zarr');
    const clean = new CountingExecutor();
    const ref = await buildPyramids(campaign, clean);
    const total = clean.jobs;
    expect(total).toBe(ref.computed);
    expect(total).toBeGreaterThan(10);
    const expected = await allLevels(campaign);

    // Interrupted build: stopped (as Ctrl-C does) after a third of the blocks.
    campaign.config.pyramid.store = store;
    const ac = new AbortController();
    const first = new CountingExecutor();
    const stopAt = Math.floor(total / 3);
    await expect(buildPyramids(campaign, first, { signal: ac.signal, onProgress: (done) => done >= stopAt && ac.abort(new Error('stopped')) })).rejects.toThrow(/stopped/);
    // Blocks logged as written, over both tiles; a block written but not yet logged when the
    // process died is simulated by forgetting the last entry of the first tile's log.
    let doneBefore = 0;
    for (const t of campaign.tiles) {
      const log = join(store, t.id, '.stitchgraph-pyramid-done.log');
      const logged = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      const kept = t.id === 't_0_0_0' ? logged.slice(0, -1) : logged;
      await writeFile(log, kept.map((l) => `${l}\n`).join(''));
      doneBefore += kept.length;
    }
    expect(doneBefore).toBeGreaterThanOrEqual(stopAt - 1);
    // Nothing of an incomplete level is listed in the OME-Zarr multiscales yet.
    const attrs = JSON.parse(await readFile(join(store, 't_0_0_0', '.zattrs'), 'utf8')) as { multiscales: { datasets: unknown[] }[]; stitchgraph: { pyramid: { complete: number } } };
    expect(attrs.multiscales[0].datasets.length).toBe(attrs.stitchgraph.pyramid.complete);
    expect(attrs.stitchgraph.pyramid.complete).toBeLessThan(ref.tiles[0].levels - 1);

    const second = new CountingExecutor();
    const res = await buildPyramids(campaign, second);
    expect(second.jobs).toBe(total - doneBefore);
    expect(res.skipped).toBe(doneBefore);
    expect(await allLevels(campaign)).toEqual(expected);
    // The resumed level is the same piece of work although fewer blocks were sent, so a restarted
    // NATS coordinator adopts the run of the one it replaces.
    expect(second.works[0]).not.toBe(JSON.stringify(undefined));
    expect(second.works[0]).toBe(first.works.at(-1));
  });
});

import { dirname, join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { StageContext, StageDef, StageProgress } from './run-stages.js';
import { hashFile } from './fingerprint.js';
import { registerCampaign } from '../registration/register-campaign.js';
import { optimizeCampaign } from '../graph/optimize-campaign.js';
import { fuseCampaign } from '../stitch/fuse-campaign.js';
import { FUSE_COMPLETE_MARKER } from '../stitch/fuse-volume.js';
import { analyzeCampaign } from '../analysis/analyze-campaign.js';
import { readPairsFile } from '../formats/pairs.js';
import { readPositionsFile } from '../formats/positions.js';
import { writeReport, type NetworkTables } from '../report/write-report.js';
import { reportSlices } from '../report/report-slices.js';
import { campaignIntensity } from '../stitch/campaign-intensity.js';
import { getLogger } from '../log.js';
import { analysisEnabled } from './analysis-enabled.js';
import { buildCampaignPyramids } from '../pyramid/build-campaign-pyramids.js';
import { pyramidStorePath } from '../pyramid/pyramid-store-path.js';
import { pyramidsComplete } from '../pyramid/pyramids-complete.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { bdvImagesFor, exportBdv } from '../bdv/export-bdv.js';

export interface CampaignStageOptions {
  /** Fuse even when `fusion.enabled` is false. */
  fuse?: boolean;
}

/** What identifies the tiles for every stage: a moved or replaced tile reruns everything. */
function tileInputs(ctx: StageContext): unknown {
  return ctx.campaign.tiles.map((t) => [t.id, t.array, t.nominal, t.shape, t.dtype, t.fieldOfView, t.fillValue ?? null]);
}

/** The context's progress counters, or none (a library caller that passed no callback). */
function progressOf(ctx: StageContext): NonNullable<StageContext['progress']> {
  return ctx.progress ?? (() => ({ update() {}, stop() {} }));
}

const FUSE_MARKER = join('fused.ome.zarr', FUSE_COMPLETE_MARKER);
/** Written by the pyramid stage (the store may lie outside the workdir): what was built, where. */
const PYRAMID_MARKER = join('.stitchgraph', 'pyramids.json');

/** The pyramid stage: builds missing tile pyramids; reruns when a pyramid is no longer complete (a deleted store). */
function pyramidStage(): StageDef {
  return {
    name: 'pyramid',
    enabled: (ctx) => ctx.campaign.config.pyramid.build,
    inputs: async (ctx) => ({ tiles: tileInputs(ctx), store: pyramidStorePath(ctx.campaign), pyramid: ctx.campaign.config.pyramid, voxel_size: ctx.campaign.voxelSize }),
    // The store may lie outside the workdir or be removed: check every pyramid is still complete.
    complete: (ctx) => pyramidsComplete(ctx.campaign),
    outputs: [PYRAMID_MARKER],
    async run(ctx) {
      const bar = progressOf(ctx)('pyramid blocks', 1);
      try {
        const r = await buildCampaignPyramids(ctx.campaign, { workers: ctx.workers, servers: ctx.servers, signal: ctx.signal, onProgress: (d, t) => bar.update(d, t) });
        const mbps = r.seconds > 0 ? r.sourceBytes / 2 ** 20 / r.seconds : 0;
        getLogger().info({ store: r.store, computed: r.computed, skipped: r.skipped, seconds: Number(r.seconds.toFixed(2)), throughput_mb_s: Number(mbps.toFixed(1)) }, 'tile pyramids built');
        await writeJsonAtomic(join(ctx.campaign.workdir, PYRAMID_MARKER), { store: r.store, tiles: r.tiles });
      } finally {
        bar.stop();
      }
    },
  };
}

/** pyramid → register → optimize → bigstitcher → fuse (when asked) → analyze → report: the stages of `stitchgraph run`. */
export function campaignStages(opts: CampaignStageOptions = {}): StageDef[] {
  const wd = (ctx: StageContext, rel: string) => join(ctx.campaign.workdir, rel);
  return [
    pyramidStage(),
    {
      name: 'register',
      enabled: () => true,
      inputs: async (ctx) => ({ tiles: tileInputs(ctx), store: ctx.campaign.storePath, registration: ctx.campaign.config.registration }),
      outputs: ['pairs.json'],
      async run(ctx) {
        const bar = progressOf(ctx)('register pairs', 1);
        try {
          const r = await registerCampaign(ctx.campaign, { workers: ctx.workers, servers: ctx.servers, signal: ctx.signal, onProgress: (d, t) => bar.update(d, t) });
          getLogger().info({ pairs: r.pairs.pairs.length, computed: r.computed, reused: r.reused, failed: r.failed }, 'pairs registered');
        } finally {
          bar.stop();
        }
      },
    },
    {
      name: 'optimize',
      enabled: () => true,
      inputs: async (ctx) => ({ tiles: tileInputs(ctx), pairs: await hashFile(wd(ctx, 'pairs.json')), optimization: ctx.campaign.config.optimization }),
      outputs: ['positions.json', 'TileConfiguration.registered.txt'],
      async run(ctx) {
        const r = await optimizeCampaign(ctx.campaign);
        (ctx.say ?? ((text: string) => getLogger().info(text)))(r.report);
      },
    },
    {
      name: 'bigstitcher',
      enabled: (ctx) => ctx.campaign.config.export.bigstitcher !== 'off',
      inputs: async (ctx) => ({ tiles: tileInputs(ctx), positions: await hashFile(wd(ctx, 'positions.json')), export: ctx.campaign.config.export }),
      outputs: ['bigstitcher.xml'],
      async run(ctx) {
        const images = bdvImagesFor(ctx.campaign);
        const r = await exportBdv(ctx.campaign, { images, signal: ctx.signal });
        getLogger().info({ xml: r.xml, images: r.images }, images === 'copy' ? 'BigStitcher project written' : 'BigStitcher project written, linking the tile store (`stitchgraph export-bdv --images copy` writes copies BigStitcher can open)');
      },
    },
    {
      name: 'fuse',
      enabled: (ctx) => opts.fuse === true || ctx.campaign.config.fusion.enabled,
      inputs: async (ctx) => ({ tiles: tileInputs(ctx), positions: await hashFile(wd(ctx, 'positions.json')), fusion: ctx.campaign.config.fusion }),
      outputs: [FUSE_MARKER],
      async run(ctx) {
        const bar = progressOf(ctx)('fuse blocks', 1);
        try {
          await fuseCampaign(ctx.campaign, { workers: ctx.workers, servers: ctx.servers, signal: ctx.signal, onProgress: (d, t) => bar.update(d, t) });
        } finally {
          bar.stop();
        }
      },
    },
    {
      name: 'analyze',
      enabled: (ctx) => analysisEnabled(ctx.campaign),
      inputs: async (ctx) => ({
        tiles: tileInputs(ctx),
        positions: await hashFile(wd(ctx, 'positions.json')),
        fused: await hashFile(wd(ctx, FUSE_MARKER)),
        analysis: ctx.campaign.config.analysis,
        // Classifier labels and model files named in the YAML: their content, not only their names.
        segmentation_files: await Promise.all([ctx.campaign.config.analysis.segmentation.labels, ctx.campaign.config.analysis.segmentation.model].map((f) => (f ? hashFile(resolve(dirname(ctx.campaign.file), f)) : undefined))),
        fusion: ctx.campaign.config.fusion,
        voxel_size: ctx.campaign.voxelSize,
      }),
      outputs: ['network/summary.json', 'network/branches.csv', 'network/nodes.csv', 'network/components.csv'],
      async run(ctx) {
        let bar: StageProgress | undefined, phase = '';
        try {
          await analyzeCampaign(ctx.campaign, {
            workers: ctx.workers,
            servers: ctx.servers,
            signal: ctx.signal,
            onProgress: (p, d, t) => {
              if (p !== phase) {
                bar?.stop();
                phase = p;
                bar = progressOf(ctx)(`analyze ${p}`, t);
              }
              bar?.update(d, t);
            },
          });
        } finally {
          bar?.stop();
        }
      },
    },
    {
      name: 'report',
      enabled: () => true,
      inputs: async (ctx) => ({
        outputs: await Promise.all(['pairs.json', 'positions.json', FUSE_MARKER, 'network/summary.json'].map((f) => hashFile(wd(ctx, f)))),
        config: ctx.campaign.config,
      }),
      outputs: ['report.html'],
      async run(ctx) {
        await writeCampaignReport(ctx);
      },
    },
  ];
}

/** A file that is not there reads as undefined; one that is there but corrupt is an error. */
async function readOptional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isMissingFile(err)) return undefined;
    throw err;
  }
}

function isMissingFile(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
  return false;
}

/** Network tables for the report from network/ (radius histogram and degree chart). */
async function readNetworkTables(dir: string): Promise<NetworkTables | undefined> {
  const summary = await readOptional(async () => JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>);
  if (!summary) return undefined;
  const csv = async (name: string) => {
    const text = await readFile(join(dir, name), 'utf8');
    const [head, ...rows] = text.trim().split('\n');
    const cols = head.split(',');
    return rows.filter(Boolean).map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
  };
  const branches = (await readOptional(() => csv('branches.csv'))) ?? [];
  const nodes = (await readOptional(() => csv('nodes.csv'))) ?? [];
  const degrees: Record<string, number> = {};
  for (const n of nodes) degrees[n.degree] = (degrees[n.degree] ?? 0) + 1;
  return { summary, branchRadii: branches.map((b) => Number(b.mean_radius_um)).filter(Number.isFinite), degrees };
}

export async function writeCampaignReport(ctx: StageContext, stages?: Record<string, { status: string; seconds?: number }>): Promise<string> {
  const c = ctx.campaign;
  const pairs = await readOptional(() => readPairsFile(join(c.workdir, 'pairs.json')));
  const positions = await readOptional(() => readPositionsFile(join(c.workdir, 'positions.json')));
  const dropped = new Set<string>();
  const droppedList = (positions as { dropped?: { a: string; b: string }[] } | undefined)?.dropped;
  if (Array.isArray(droppedList)) for (const d of droppedList) dropped.add(`${d.a}|${d.b}`);
  // Pictures are a nicety of the report: one that cannot be drawn is said, not fatal.
  const slices = await reportSlices(c, positions).catch((err: unknown) => {
    getLogger().warn({ error: (err as Error).message }, 'cannot draw the report slices');
    return undefined;
  });
  const network = await readNetworkTables(join(c.workdir, 'network'));
  const intensity = c.config.fusion.intensity_correction ? await campaignIntensity(c, positions).catch((err: unknown) => {
        getLogger().warn({ error: (err as Error).message }, 'cannot summarise the intensity correction');
        return undefined;
      }) : undefined;
  if (intensity) getLogger().info({ applied: intensity.applied, tiles: intensity.tiles }, `intensity correction ${intensity.reason}`);
  return writeReport({ campaign: c, pairs, positions, network, slices, stages, dropped, intensity });
}

import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { openCampaign } from '../campaign/open-campaign.js';
import { runStages, type StageContext, type StageOutcome } from './run-stages.js';
import { campaignStages } from './campaign-stages.js';
import { getLogger } from '../log.js';
import { formatPairSummary } from '../registration/format-pair-summary.js';
import type { PairsFile } from '../formats/pairs.js';

export interface RunCampaignOptions {
  workers?: number;
  servers?: string;
  /** Fuse even when the campaign does not ask for it. */
  fuse?: boolean;
  signal?: AbortSignal;
  /** Progress counters of the stages (the CLI draws bars). @default none */
  progress?: StageContext['progress'];
  /** Reports for the person running it (the optimisation report). @default logged at info */
  say?: (text: string) => void;
}

export interface RunCampaignResult {
  campaignFile: string;
  workdir: string;
  stages: Record<string, StageOutcome>;
  /** True when every enabled stage was already up to date. */
  nothingToDo: boolean;
  summary: string;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * `stitchgraph run`: every stage in order, each skipped when its outputs are complete and its
 * inputs unchanged; an interruption loses no finished work (stages resume their own partial work).
 */
export async function runCampaign(campaignFile: string, opts: RunCampaignOptions = {}): Promise<RunCampaignResult> {
  const log = getLogger();
  const campaign = await openCampaign(campaignFile);
  const stages = campaignStages({ fuse: opts.fuse });
  const progress = opts.progress ?? (() => ({ update() {}, stop() {} }));
  const say = opts.say ?? ((text: string) => log.info(text));
  const outcomes = await runStages(stages, { campaign, workers: opts.workers, servers: opts.servers, signal: opts.signal, progress, say }, (name, i, n) => {
    log.info({ stage: name }, `[${i + 1}/${n}] ${name}`);
  });
  const enabled = Object.values(outcomes).filter((o) => o.status !== 'disabled');
  const nothingToDo = enabled.every((o) => o.status === 'up to date');
  const wd = campaign.workdir;
  const lines: string[] = [];
  lines.push(`campaign ${campaign.name}: ${campaign.tiles.length} tiles → ${wd}`);
  lines.push(`stages: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v.status}${v.status === 'ran' ? ` (${v.seconds.toFixed(1)} s)` : ''}`).join(', ')}`);
  const pairs = await readJson(join(wd, 'pairs.json'));
  if (Array.isArray(pairs?.pairs) && pairs.pairs.length) lines.push(...formatPairSummary(pairs as unknown as PairsFile).map((l, i) => (i === 0 ? `pairs: ${l}` : l)));
  const positions = await readJson(join(wd, 'positions.json'));
  const s = positions?.summary as Record<string, unknown> | undefined;
  if (s) lines.push(`positions: ${Object.entries(s).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${Number((v as number).toPrecision(4))}`).join(', ')}`);
  const net = await readJson(join(wd, 'network', 'summary.json'));
  if (net) lines.push(`network: ${['n_components', 'n_branches', 'n_junctions', 'n_endpoints', 'total_length_um', 'cyclomatic_number'].filter((k) => typeof net[k] === 'number').map((k) => `${k} ${Number((net[k] as number).toPrecision(5))}`).join(', ')}`);
  if (outcomes.analyze?.status === 'disabled' && campaign.config.analysis.enabled === undefined) lines.push('analysis: not run on a 2-D mosaic (set analysis.enabled: true to analyse it)');
  lines.push(`report: ${join(wd, 'report.html')}`);
  if (nothingToDo) lines.unshift('Nothing to do: every stage is up to date.');
  return { campaignFile: campaign.file, workdir: wd, stages: outcomes, nothingToDo, summary: lines.join('\n') };
}

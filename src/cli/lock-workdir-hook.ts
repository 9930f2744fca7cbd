import type { Command } from 'commander';
import { loadCampaignConfig } from '../campaign/load-config.js';
import { acquireWorkdirLock, type WorkdirLock } from '../files/workdir-lock.js';
import { usageError } from './usage-error.js';

/** Commands that write into a campaign's workdir: one process at a time per workdir. */
const WRITES_WORKDIR = new Set(['register', 'optimize', 'fuse', 'analyze', 'run', 'pyramid', 'export-bdv', 'import-bdv']);

let held: WorkdirLock | undefined;

function waitSeconds(flag: string | boolean | undefined): number {
  if (flag === undefined || flag === false) return 0;
  if (flag === true) return Number.POSITIVE_INFINITY;
  const s = Number(flag);
  if (!Number.isFinite(s) || s < 0) throw usageError(`Cannot use --wait-lock "${flag}": expected seconds ≥ 0 (or no value: wait as long as it takes)`);
  return s;
}

/**
 * Before a command that writes a campaign's workdir: take the workdir lock (and so check the
 * workdir is writable before any work). Commands without a campaign file (`analyze --input`,
 * `run` of the demo) take none.
 */
export async function lockWorkdirBeforeAction(program: Command, action: Command): Promise<void> {
  // Top-level commands only: `study run` is named run too, but its file is a study, not a campaign.
  if (action.parent !== program || !WRITES_WORKDIR.has(action.name())) return;
  const campaign = action.args[0];
  if (typeof campaign !== 'string' || !/\.ya?ml$/i.test(campaign)) return;
  const wait = waitSeconds(program.opts<{ waitLock?: string | boolean }>().waitLock);
  const { config } = await loadCampaignConfig(campaign);
  held = await acquireWorkdirLock(config.workdir, {
    command: `stitchgraph ${action.name()} ${campaign}`,
    waitSeconds: wait,
    onWait: (h) => process.stderr.write(`stitchgraph: waiting for workdir ${config.workdir}: in use by pid ${h.pid} on ${h.host} (${h.command})\n`),
  });
}

/** Release the workdir lock taken before the action (after it, or when it failed). */
export async function releaseWorkdirLock(): Promise<void> {
  const lock = held;
  held = undefined;
  await lock?.release();
}

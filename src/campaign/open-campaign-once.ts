import { stat } from 'node:fs/promises';
import { openCampaign, type Campaign } from './open-campaign.js';

/** Campaigns a long-lived worker keeps open at once (each holds its tiles' metadata and caches). */
const KEEP = 4;
const opened = new Map<string, Promise<Campaign>>();

/**
 * The one per-process campaign cache every job handler uses (pairs, fusion, analysis, pyramid
 * blocks): a worker running thousands of jobs opens a campaign's store and tile metadata once.
 * Keyed by file and modification time, so a long-lived worker sees an edited campaign; a failed
 * open is not cached (the next job retries, the file may have been fixed).
 */
export async function openCampaignOnce(file: string): Promise<Campaign> {
  const mtime = await stat(file).then((s) => s.mtimeMs, () => 0); // openCampaign names a missing file itself
  const key = `${file}\u0000${mtime}`;
  let c = opened.get(key);
  if (!c) {
    for (const old of [...opened.keys()].slice(0, Math.max(0, opened.size - KEEP + 1))) opened.delete(old);
    c = openCampaign(file);
    c.catch(() => opened.delete(key));
    opened.set(key, c);
  }
  return c;
}

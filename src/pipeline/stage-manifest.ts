import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { hashFile } from './fingerprint.js';

/** What `run` remembers of a finished stage: the inputs it saw and the outputs it left. */
export interface StageRecord {
  /** Hash of every input the stage depends on (parameters, tiles, upstream outputs). */
  inputs: string;
  /** Output file → hash of its bytes when the stage finished (files only; folders carry a marker file). */
  outputs: Record<string, string>;
  finished_at: string;
  seconds: number;
}

export interface StageManifest {
  version: 1;
  stages: Record<string, StageRecord>;
}

export function manifestPath(workdir: string): string {
  return join(workdir, '.stitchgraph', 'stages.json');
}

export async function readManifest(workdir: string): Promise<StageManifest> {
  try {
    const m = JSON.parse(await readFile(manifestPath(workdir), 'utf8')) as StageManifest;
    if (m.version === 1 && m.stages) return m;
  } catch {
    // Missing or unreadable: every stage is considered not done (safe: stages resume themselves).
  }
  return { version: 1, stages: {} };
}

export async function writeManifest(workdir: string, m: StageManifest): Promise<void> {
  await writeJsonAtomic(manifestPath(workdir), m);
}

/** Is a stage's record current: same inputs, and every output still there with the same bytes? */
export async function isStageCurrent(rec: StageRecord | undefined, inputs: string, workdir: string): Promise<boolean> {
  if (!rec || rec.inputs !== inputs) return false;
  for (const [rel, h] of Object.entries(rec.outputs)) {
    if ((await hashFile(join(workdir, rel))) !== h) return false;
  }
  return true;
}

export async function recordOutputs(workdir: string, rels: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of rels) {
    const h = await hashFile(join(workdir, rel));
    if (h !== undefined) out[rel] = h;
  }
  return out;
}

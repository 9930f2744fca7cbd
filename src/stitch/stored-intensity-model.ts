import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../files/write-atomic.js';
import type { IntensityModel } from './intensity-model.js';
import type { StitchedVolume } from './stitched-volume.js';

/** Where a campaign's estimated intensity model is kept, beside positions.json. */
export const INTENSITY_MODEL_FILE = 'intensity-model.json';

interface StoredModel {
  version: 1;
  /** Digest of what the estimate depends on: store, tiles, their arrays, shapes and positions. */
  key: string;
  tiles: string[];
  gain: number[];
  offset: number[];
  helps: boolean;
  rms_before: number;
  rms_after: number;
  reason: string;
}

/**
 * The volume's intensity model, estimated once per campaign and positions and kept in
 * `<workdir>/intensity-model.json`: the estimate samples every overlap at full resolution, so on
 * an organ of a thousand tiles it costs minutes that `serve` and `view` must not pay again at
 * every start (nor inside the first request). A file made for other tiles or positions is
 * ignored and replaced. `onEstimate` hears the number of overlaps before an estimate (it can take
 * minutes). Returns the model and whether it came from the file.
 */
export async function storedIntensityModel(volume: StitchedVolume, onEstimate?: (overlaps: number) => void): Promise<{ model: IntensityModel; reused: boolean }> {
  const file = join(volume.campaign.workdir, INTENSITY_MODEL_FILE);
  const key = intensityModelKey(volume);
  const stored = await readStored(file);
  if (stored && stored.key === key && stored.gain.length === volume.tiles.length) {
    const model: IntensityModel = {
      gain: Float64Array.from(stored.gain),
      offset: Float64Array.from(stored.offset),
      helps: stored.helps,
      rmsBefore: stored.rms_before,
      rmsAfter: stored.rms_after,
      reason: stored.reason,
    };
    volume.adoptIntensity(model);
    return { model, reused: true };
  }
  onEstimate?.(volume.overlappingPairs().length);
  const model = await volume.intensity();
  const out: StoredModel = {
    version: 1,
    key,
    tiles: volume.tiles.map((t) => t.info.id),
    gain: Array.from(model.gain),
    offset: Array.from(model.offset),
    helps: model.helps,
    rms_before: model.rmsBefore,
    rms_after: model.rmsAfter,
    reason: model.reason,
  };
  // A read-only workdir (someone else's campaign) still serves: the model is then estimated per start.
  await writeJsonAtomic(file, out).catch(() => undefined);
  return { model, reused: false };
}

function intensityModelKey(volume: StitchedVolume): string {
  const tiles = volume.tiles.map((t) => [t.info.id, t.info.array, t.info.shape, t.info.dtype, t.position]);
  return createHash('sha256').update(JSON.stringify({ store: volume.campaign.config.store, tiles })).digest('hex');
}

async function readStored(file: string): Promise<StoredModel | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<StoredModel>;
    const ok = v.version === 1 && typeof v.key === 'string' && Array.isArray(v.gain) && Array.isArray(v.offset) && v.gain.length === v.offset.length;
    // A torn or foreign file is only a cache: estimate again rather than fail.
    return ok ? (v as StoredModel) : undefined;
  } catch {
    return undefined;
  }
}

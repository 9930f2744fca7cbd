/**
 * The brain campaign (10×10×10 tiles of 2160×2560×2560 uint16) at the rates measured on a
 * synthetic campaign: CPU seconds per tile voxel for the voxel-bound stages, per pair for
 * registration (pairs counted by the registration's own overlap rule, as
 * bench/scale/scale.ts does), per tile for optimisation. Worker-hours are CPU-hours (one worker = one core);
 * hours on N workers assume the jobs spread evenly, except optimisation, which is one process.
 */
import { findOverlaps, type OverlapTile } from '../../src/registration/find-overlaps.js';
import { RegistrationSettingsSchema } from '../../src/campaign/sections/registration.js';
import type { CampaignResult, Vec3 } from './_campaign-result.js';

export const BRAIN = { grid: [10, 10, 10] as Vec3, tile: [2160, 2560, 2560] as Vec3, bytes: 2 };
export const WORKER_COUNTS = [16, 64, 256];

export interface ProjectedStage {
  stage: string;
  basis: string;
  worker_hours: number;
  hours_on: Record<number, number>;
}

/**
 * Brain pairs as `register` would find them (the same overlap rule, at the measured campaign's
 * overlap fraction): faces, edges and corners whose overlap is large enough. The measured cost per
 * pair comes from face pairs, so edge and corner pairs (smaller overlaps) make this an upper bound.
 */
export function brainPairs(overlap: number): number {
  const tiles: OverlapTile[] = [];
  for (let z = 0; z < BRAIN.grid[0]; z++)
    for (let y = 0; y < BRAIN.grid[1]; y++)
      for (let x = 0; x < BRAIN.grid[2]; x++) {
        const nominal = [z, y, x].map((i, a) => Math.round(i * BRAIN.tile[a] * (1 - overlap))) as Vec3;
        tiles.push({ id: `t_${z}_${y}_${x}`, nominal, shape: BRAIN.tile });
      }
  return findOverlaps(tiles, RegistrationSettingsSchema.parse({})).length;
}

export function projectBrain(r: CampaignResult, overlap: number): { tile_voxels: number; pairs: number; stages: ProjectedStage[]; read_once_worker_hours: number } {
  const tiles = BRAIN.grid[0] * BRAIN.grid[1] * BRAIN.grid[2];
  const voxels = tiles * BRAIN.tile[0] * BRAIN.tile[1] * BRAIN.tile[2];
  const pairs = brainPairs(overlap);
  const scale: Record<string, { factor: number; basis: string }> = {
    pyramid: { factor: voxels / r.tile_voxels, basis: 'per tile voxel' },
    register: { factor: pairs / Math.max(1, r.pairs), basis: 'per pair' },
    optimize: { factor: tiles / r.tiles, basis: 'per tile (start-up dominated: an upper bound)' },
    fuse: { factor: voxels / r.tile_voxels, basis: 'per tile voxel' },
    analyze: { factor: voxels / r.tile_voxels, basis: 'per tile voxel (analyses the fused volume)' },
  };
  const stages = r.stages
    .filter((s) => scale[s.stage])
    .map((s) => {
      const worker_hours = (s.cpu_s * scale[s.stage].factor) / 3600;
      const serial = s.stage === 'optimize';
      const hours_on = Object.fromEntries(WORKER_COUNTS.map((n) => [n, serial ? worker_hours : worker_hours / n]));
      return { stage: s.stage, basis: scale[s.stage].basis, worker_hours, hours_on };
    });
  return { tile_voxels: voxels, pairs, stages, read_once_worker_hours: (r.raw_read.cpu_s * voxels) / r.tile_voxels / 3600 };
}

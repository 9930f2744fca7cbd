/** What end-to-end.ts records for one campaign (also the JSON written under bench/out/). */
import type { Measured } from './_timed-step.js';
import type { ChunkTiming } from './_serve-probe.js';

export type Vec3 = [number, number, number];

export interface StageFigures {
  stage: string;
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
}

export interface ServeFigures {
  /** `before-fuse`: chunks composed from the tiles (and their pyramids); `after-fuse`: fused output there. */
  when: 'before-fuse' | 'after-fuse';
  shape: number[];
  levels: number;
  chunks: ChunkTiming[];
}

export interface CampaignResult {
  label: 'small' | 'large';
  grid: Vec3;
  tile: Vec3;
  tiles: number;
  tile_voxels: number;
  /** Pairs in pairs.json by neighbour kind: "1,0,0" = face along z, "1,1,0" = edge... */
  pairs_by_kind: Record<string, number>;
  pairs: number;
  stages: StageFigures[];
  raw_read: { wall_s: number; cpu_s: number; peak_rss_mb: number };
  fuse_vs_read: { wall_ratio: number; cpu_ratio: number };
  serve: ServeFigures[];
  analysis_coordinator: { peak_rss_mb: number; wall_s: number; cpu_s: number; worker_peak_rss_mb: number; worker_cpu_s: number } | null;
  disk_mb: Record<string, number>;
  /** Wall seconds of the whole campaign, synth and probes included. */
  elapsed_s: number;
}

export function stageFigures(m: Measured): StageFigures {
  return { stage: m.stage, wall_s: m.wall_s, cpu_s: m.cpu_s, peak_rss_mb: m.peak_rss_mb };
}

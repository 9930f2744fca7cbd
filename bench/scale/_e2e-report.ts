/** The Markdown tables end-to-end.ts prints: one per campaign, the large/small ratios, the brain projection. */
import type { CampaignResult } from './_campaign-result.js';
import { BRAIN, WORKER_COUNTS, type ProjectedStage } from './_brain-projection.js';

const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '–');
const mvox = (voxels: number, s: number): string => f1(voxels / s / 1e6);

export function campaignTable(r: CampaignResult): string {
  const lines = [
    `### ${r.label}: ${r.grid.join('×')} tiles of ${r.tile.join('×')} uint16 (${f2(r.tile_voxels / 1e9)} G tile voxels, ${r.pairs} pairs; whole run with synth ${f1(r.elapsed_s)} s)`,
    '',
    '| stage | wall s | CPU s | peak RSS MB | M tile voxels/s (wall) | M tile voxels per CPU-s |',
    '|---|---|---|---|---|---|',
    ...r.stages.map((s) => `| ${s.stage} | ${f1(s.wall_s)} | ${f1(s.cpu_s)} | ${f1(s.peak_rss_mb)} | ${mvox(r.tile_voxels, s.wall_s)} | ${mvox(r.tile_voxels, s.cpu_s)} |`),
    `| raw read (same tiles, own reader) | ${f1(r.raw_read.wall_s)} | ${f1(r.raw_read.cpu_s)} | ${f1(r.raw_read.peak_rss_mb)} | ${mvox(r.tile_voxels, r.raw_read.wall_s)} | ${mvox(r.tile_voxels, r.raw_read.cpu_s)} |`,
    '',
    `fuse / raw read throughput: **${f2(r.fuse_vs_read.wall_ratio)}** wall, ${f2(r.fuse_vs_read.cpu_ratio)} CPU (target ≥ 0.5: ${r.fuse_vs_read.wall_ratio >= 0.5 ? 'met' : 'not met'})`,
    '',
    '| serve | chunk | path | cold ms | warm ms | bytes | server RSS idle MB | server peak RSS MB |',
    '|---|---|---|---|---|---|---|---|',
    ...r.serve.flatMap((s) => s.chunks.map((c) => `| ${s.when} | ${c.kind} | ${c.path} | ${c.cold_ms.toFixed(0)} | ${c.warm_ms.toFixed(0)} | ${c.bytes} | ${f1(c.rss_idle_mb)} | ${f1(c.rss_peak_mb)} |`)),
    '',
  ];
  const a = r.analysis_coordinator;
  lines.push(
    a
      ? `analysis coordinator alone (blocks on a NATS worker process): peak RSS **${f1(a.peak_rss_mb)} MB**, wall ${f1(a.wall_s)} s, CPU ${f1(a.cpu_s)} s; worker process CPU ${f1(a.worker_cpu_s)} s, peak RSS ${f1(a.worker_peak_rss_mb)} MB`
      : `analysis coordinator: not measured alone (no nats-server, or --analyze local); \`analyze --workers 2\` peak RSS (coordinator + worker threads) ${f1(r.stages.find((s) => s.stage === 'analyze')?.peak_rss_mb ?? NaN)} MB`,
    `disk: ${Object.entries(r.disk_mb).map(([k, v]) => `${k} ${f1(v)} MB`).join(', ')}`,
  );
  return lines.join('\n');
}

export function ratioTable(small: CampaignResult, large: CampaignResult): string {
  const lines = [`### large / small (${f2(large.tile_voxels / small.tile_voxels)}× the voxels)`, '', '| what | wall | CPU | peak RSS |', '|---|---|---|---|'];
  for (const s of large.stages) {
    const b = small.stages.find((x) => x.stage === s.stage);
    if (b) lines.push(`| ${s.stage} | ${f2(s.wall_s / b.wall_s)} | ${f2(s.cpu_s / b.cpu_s)} | ${f2(s.peak_rss_mb / b.peak_rss_mb)} |`);
  }
  for (const sv of large.serve)
    for (const c of sv.chunks) {
      const b = small.serve.find((x) => x.when === sv.when)?.chunks.find((x) => x.kind === c.kind);
      if (b) lines.push(`| serve ${sv.when} ${c.kind} chunk (cold) | ${f2(c.cold_ms / b.cold_ms)} | | ${f2(c.rss_peak_mb / b.rss_peak_mb)} |`);
    }
  const coarse = (r: CampaignResult): number => r.serve.find((x) => x.when === 'before-fuse')?.chunks.find((c) => c.kind === 'coarsest')?.cold_ms ?? NaN;
  const ca = large.analysis_coordinator, cb = small.analysis_coordinator;
  if (ca && cb) lines.push(`| analysis coordinator | ${f2(ca.wall_s / cb.wall_s)} | ${f2(ca.cpu_s / cb.cpu_s)} | ${f2(ca.peak_rss_mb / cb.peak_rss_mb)} |`);
  lines.push('', `coarsest-level chunk before fuse (composed from the tiles), cold, large/small: **${f2(coarse(large) / coarse(small))}×** (must not grow with the campaign)`);
  return lines.join('\n');
}

export function projectionTable(from: CampaignResult, p: { tile_voxels: number; pairs: number; stages: ProjectedStage[]; read_once_worker_hours: number }): string {
  const total = p.stages.reduce((s, x) => s + x.worker_hours, 0);
  const totalOn = (n: number): number => p.stages.reduce((s, x) => s + x.hours_on[n], 0);
  return [
    `### Brain projection: ${BRAIN.grid.join('×')} tiles of ${BRAIN.tile.join('×')} uint16 (${f1(p.tile_voxels / 1e12)} T tile voxels, ${p.pairs} pairs), at the rates of the ${from.label} campaign`,
    '',
    `| stage | rate basis | worker-hours | ${WORKER_COUNTS.map((n) => `hours on ${n} workers`).join(' | ')} |`,
    `|---|---|---|${WORKER_COUNTS.map(() => '---').join('|')}|`,
    ...p.stages.map((s) => `| ${s.stage} | ${s.basis} | ${f1(s.worker_hours)} | ${WORKER_COUNTS.map((n) => f2(s.hours_on[n])).join(' | ')} |`),
    `| **total** | | **${f1(total)}** | ${WORKER_COUNTS.map((n) => `**${f2(totalOn(n))}**`).join(' | ')} |`,
    '',
    `reading every tile once with the own reader: ${f1(p.read_once_worker_hours)} worker-hours (${f1(p.tile_voxels * BRAIN.bytes / 1e12)} TB uncompressed); worker-hours are CPU-hours, one worker = one core; hours on N workers assume even spread and no I/O limit (optimize runs in one process)`,
  ].join('\n');
}

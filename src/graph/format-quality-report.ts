import type { OptimizedPositions } from './optimize-positions.js';

const f2 = (v: number) => v.toFixed(2);

function listIds(ids: string[], max: number): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} … (+${ids.length - max})`;
}

/**
 * The short quality report `stitchgraph optimize` prints: links used and dropped, residuals,
 * groups and loners, the worst kept links. Plain text, a few lines, for a terminal.
 */
export function formatQualityReport(result: OptimizedPositions, options: { worst?: number } = {}): string {
  const worst = options.worst ?? 5;
  const s = result.summary;
  const lines: string[] = [];
  lines.push(`optimize: ${s.tiles} tiles, ${s.links} measured links (${s.rejected} rejected pairs), ${s.dropped} dropped in ${s.rounds} round${s.rounds === 1 ? '' : 's'}, ${s.seconds.toFixed(2)} s`);
  lines.push(`residual over ${s.kept} kept links: mean ${f2(s.mean_residual)}, max ${f2(s.max_residual)} voxel${s.converged ? '' : '  (WARNING: solver did not converge)'}`);
  const groups = result.groups.filter((g) => g.tiles > 1);
  if (result.groups.length === 1) lines.push('groups: 1 (every tile linked)');
  else {
    lines.push(`groups: ${groups.length} linked group${groups.length === 1 ? '' : 's'} (${groups.map((g) => g.tiles).join(' + ')} tiles) and ${s.loners.length} loner${s.loners.length === 1 ? '' : 's'}; ${s.weak_links} weak stage link${s.weak_links === 1 ? '' : 's'} place them`);
    if (s.loners.length) lines.push(`loners (no kept link, placed from the stage): ${listIds(s.loners, 8)}`);
  }
  if (s.unverified_links) lines.push(`unverified: ${s.unverified_links} kept link${s.unverified_links === 1 ? ' is a bridge' : 's are bridges'} (no other link checks ${s.unverified_links === 1 ? 'it' : 'them'})`);
  if (result.residuals.dropped.length) {
    const shown = [...result.residuals.dropped].sort((p, q) => q.discrepancy - p.discrepancy).slice(0, worst);
    lines.push(`dropped links (worst ${shown.length} of ${result.residuals.dropped.length}):`);
    for (const d of shown) lines.push(`  ${d.a} – ${d.b}: residual ${f2(d.residual)}, off by ${f2(d.discrepancy)} voxel, correlation ${f2(d.correlation)}`);
  }
  const top = [...result.residuals.links].sort((p, q) => q.residual - p.residual).slice(0, Math.min(worst, 3));
  if (top.length && top[0].residual > 0) {
    lines.push('largest kept residuals:');
    for (const l of top) lines.push(`  ${l.a} – ${l.b}: ${f2(l.residual)} voxel (correlation ${f2(l.correlation)})`);
  }
  return lines.join('\n') + '\n';
}

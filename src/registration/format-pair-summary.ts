import type { PairsFile } from '../formats/pairs.js';

/**
 * The lines a person reads after registration: how many pairs were accepted, then every rejected
 * pair by name with its reason and the option that would change it, then the layout and threshold
 * warnings. Empty lines are never returned.
 */
export function formatPairSummary(pairs: PairsFile, maxListed = 50): string[] {
  const list = pairs.pairs;
  const ok = list.filter((p) => p.status === 'ok');
  const rejected = list.filter((p) => p.status !== 'ok');
  const widened = ok.filter((p) => Array.isArray(p.search_margin)).length;
  const lines = [`${ok.length} of ${list.length} pairs accepted${widened ? ` (${widened} after a wider search past the margin)` : ''}; threshold ${Number((pairs.min_correlation ?? 0).toFixed(3))}${pairs.threshold === 'permutation' ? ' (permutation test)' : ''}`];
  for (const p of rejected.slice(0, maxListed)) lines.push(`  rejected ${p.a}–${p.b} (r ${p.correlation.toFixed(3)}): ${p.reason ?? 'no reason recorded'}${typeof p.hint === 'string' ? `; ${p.hint}` : ''}`);
  if (rejected.length > maxListed) lines.push(`  … and ${rejected.length - maxListed} more rejected pairs (all in pairs.json and report.html)`);
  for (const w of (pairs.warnings as string[] | undefined) ?? []) lines.push(`warning: ${w}`);
  return lines;
}

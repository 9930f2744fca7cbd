import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Campaign } from '../campaign/open-campaign.js';
import type { PairsFile } from '../formats/pairs.js';
import type { PositionsFile } from '../formats/positions.js';
import { writeFileAtomic } from '../files/write-atomic.js';
import { stableStringify } from '../pipeline/fingerprint.js';
import type { IntensitySummary } from '../stitch/intensity-summary.js';
import { intensitySection } from './intensity-section.js';
import { barChartSvg, escapeXml, histogramSvg, layoutSvg, type LayoutLink, type LayoutTile } from './svg-charts.js';

/** A grey-level image of the stitched volume with the tile borders that cross it. */
export interface ReportSlice {
  /** e.g. "z = 120 (y–x plane)" */
  title: string;
  /** File name under workdir/report/ (PNG). */
  file: string;
  png: Uint8Array;
  width: number;
  height: number;
  /** Tile outlines in image pixel coordinates. */
  borders: { id: string; x0: number; y0: number; x1: number; y1: number }[];
}

export interface NetworkTables {
  summary: Record<string, unknown>;
  /** mean radius (µm) per branch */
  branchRadii: number[];
  /** node degree → count */
  degrees: Record<string, number>;
}

export interface ReportInputs {
  campaign: Campaign;
  pairs?: PairsFile;
  positions?: PositionsFile;
  network?: NetworkTables;
  slices?: ReportSlice[];
  /** Stage name → what happened in this run. */
  stages?: Record<string, { status: string; seconds?: number }>;
  /** Pairs dropped by the optimiser, as "a|b" keys. */
  dropped?: Set<string>;
  /** The intensity correction views apply, per tile, and why. */
  intensity?: IntensitySummary;
}

function fmtNum(v: unknown): string {
  if (typeof v !== 'number') return escapeXml(typeof v === 'string' ? v : JSON.stringify(v));
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function table(rows: [string, unknown][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${fmtNum(v)}</td></tr>`).join('')}</table>`;
}

/** Residual per link from positions.json, whatever shape the optimiser gave it (map or list). */
export function linkResiduals(positions: PositionsFile | undefined): number[] {
  const res = positions?.residuals as unknown;
  const out: number[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'number') out.push(v);
    else if (v && typeof v === 'object' && typeof (v as { residual?: unknown }).residual === 'number') out.push((v as { residual: number }).residual);
  };
  if (Array.isArray(res)) res.forEach(visit);
  else if (res && typeof res === 'object') {
    const links = (res as { links?: unknown }).links;
    if (Array.isArray(links)) links.forEach(visit);
    else if (links && typeof links === 'object') Object.values(links).forEach(visit);
    else Object.values(res).forEach(visit);
  }
  return out;
}

/**
 * The campaign report: one self-contained HTML file (inline SVG charts, images as data URIs) plus
 * the slice PNGs and chart SVGs beside it in workdir/report/. A person decides from it whether the
 * stitch can be trusted: tile layout with links coloured by correlation, correlation and residual
 * histograms, slices with tile borders, network statistics, and the parameters used.
 */
export async function writeReport(inp: ReportInputs): Promise<string> {
  const { campaign } = inp;
  const dir = join(campaign.workdir, 'report');
  await mkdir(dir, { recursive: true });
  const pos = (id: string): [number, number, number] => (inp.positions?.tiles[id]?.position as [number, number, number] | undefined) ?? campaign.tileById.get(id)!.nominal;
  const tiles = campaign.tiles;
  const mk = (ax: [number, number]): LayoutTile[] =>
    tiles.map((t) => ({
      id: t.id,
      pos: [pos(t.id)[ax[0]], pos(t.id)[ax[1]]],
      size: [t.shape[ax[0]], t.shape[ax[1]]],
      group: inp.positions?.tiles[t.id]?.group ?? 0,
      nominalOnly: inp.positions?.tiles[t.id]?.nominal_only,
    }));
  const links: LayoutLink[] = (inp.pairs?.pairs ?? []).map((p) => ({
    a: p.a,
    b: p.b,
    correlation: p.correlation,
    status: p.status === 'ok' ? (inp.dropped?.has(`${p.a}|${p.b}`) ? 'dropped' : 'ok') : 'rejected',
  }));
  const charts: Record<string, string> = {
    'layout-top': layoutSvg(mk([1, 2]), links, { title: 'Tiles from above (y–x), links by correlation', axes: ['y', 'x'], cls: 'layout layout-top' }),
    'layout-side': layoutSvg(mk([0, 2]), links, { title: 'Tiles from the side (z–x)', axes: ['z', 'x'], cls: 'layout layout-side' }),
    correlations: histogramSvg(
      (inp.pairs?.pairs ?? []).map((p) => p.correlation),
      { title: 'Pair correlations', xlabel: 'normalised cross-correlation r', range: [-0.2, 1], bins: 24, marker: { at: inp.pairs?.min_correlation ?? campaign.config.registration.min_correlation, label: 'threshold' }, cls: 'hist-correlation' },
    ),
    residuals: histogramSvg(linkResiduals(inp.positions), { title: 'Link residuals after optimisation', xlabel: 'residual (voxels)', bins: 20, color: '#e76f51', cls: 'hist-residual' }),
  };
  if (inp.network) {
    charts['radius-histogram'] = histogramSvg(inp.network.branchRadii, { title: 'Branch mean radius', xlabel: 'radius (µm)', bins: 20, color: '#6a4c93', cls: 'hist-radius' });
    charts['degree-chart'] = barChartSvg(inp.network.degrees, { title: 'Node degree', xlabel: 'degree', cls: 'bars-degree' });
  }
  for (const [name, svg] of Object.entries(charts)) await writeFileAtomic(join(dir, `${name}.svg`), svg);

  const sliceHtml = (inp.slices ?? []).map((s) => {
    const b64 = Buffer.from(s.png).toString('base64');
    const borders = s.borders
      .map((b) => `<rect x="${b.x0}" y="${b.y0}" width="${b.x1 - b.x0}" height="${b.y1 - b.y0}" fill="none" stroke="#ffb703" stroke-width="1" stroke-dasharray="4 3"><title>${escapeXml(b.id)}</title></rect>`)
      .join('');
    return `<figure class="slice"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${s.width} ${s.height}" width="${Math.min(560, s.width * 4)}"><image href="data:image/png;base64,${b64}" width="${s.width}" height="${s.height}" style="image-rendering:pixelated"/>${borders}</svg><figcaption>${escapeXml(s.title)} — tile borders dashed</figcaption></figure>`;
  });
  for (const s of inp.slices ?? []) await writeFileAtomic(join(dir, s.file), s.png);

  const pairs = inp.pairs?.pairs ?? [];
  const ok = pairs.filter((p) => p.status === 'ok').length;
  const res = linkResiduals(inp.positions);
  const groups = new Set(Object.values(inp.positions?.tiles ?? {}).map((t) => t.group));
  const loners = Object.entries(inp.positions?.tiles ?? {}).filter(([, t]) => t.nominal_only).map(([id]) => id);
  const verdict: string[] = [];
  if (pairs.length) verdict.push(`${ok} of ${pairs.length} pairs accepted (${((100 * ok) / pairs.length).toFixed(0)} %)`);
  if (inp.dropped?.size) verdict.push(`${inp.dropped.size} link(s) dropped by the optimiser as inconsistent`);
  if (res.length) verdict.push(`residuals: mean ${(res.reduce((a, b) => a + b, 0) / res.length).toFixed(2)}, max ${Math.max(...res).toFixed(2)} voxels`);
  if (groups.size > 1) verdict.push(`<b class="warn">${groups.size} disconnected groups</b> (placed by stage positions)`);
  if (loners.length) verdict.push(`<b class="warn">${loners.length} tile(s) with no good link</b>, placed nominally: ${loners.map(escapeXml).join(', ')}`);
  const layoutWarnings = Array.isArray(inp.pairs?.warnings) ? (inp.pairs.warnings as string[]) : [];
  for (const w of layoutWarnings) verdict.push(`<b class="warn">${escapeXml(w)}</b>`);
  if (inp.intensity) verdict.push(`intensity correction ${inp.intensity.applied ? 'applied' : 'not applied'}`);

  const rejected = pairs.filter((p) => p.status !== 'ok');
  const rejectedTable = rejected.length
    ? `<table class="rejected"><tr><th>a</th><th>b</th><th>r</th><th>reason</th><th>what would change it</th></tr>${rejected.map((p) => `<tr><td>${escapeXml(p.a)}</td><td>${escapeXml(p.b)}</td><td>${p.correlation.toFixed(3)}</td><td>${escapeXml(p.reason ?? '')}</td><td>${escapeXml(typeof p.hint === 'string' ? p.hint : '')}</td></tr>`).join('')}</table>`
    : '<p>No pair was rejected.</p>';

  const netSummary = inp.network
    ? table(Object.entries(inp.network.summary).filter(([, v]) => typeof v !== 'object' || v === null) as [string, unknown][])
    : '<p>Network analysis was not run.</p>';
  const stages = inp.stages ? table(Object.entries(inp.stages).map(([k, v]) => [k, `${v.status}${v.seconds !== undefined ? ` (${v.seconds.toFixed(1)} s)` : ''}`])) : '';
  const params = stableStringify({ registration: campaign.config.registration, optimization: campaign.config.optimization, fusion: campaign.config.fusion, analysis: campaign.config.analysis, distributed: campaign.config.distributed });

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stitchgraph report — ${escapeXml(campaign.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{margin-bottom:4px} h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
table{border-collapse:collapse;font-size:13px} th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f5f5f5;font-weight:600} .warn{color:#b00} figure{margin:0} figcaption{font-size:12px;color:#555}
pre{background:#f7f7f7;padding:8px;white-space:pre-wrap;font-size:12px}
</style></head><body>
<h1>${escapeXml(campaign.name)}</h1>
<p>${tiles.length} tiles · voxel size ${campaign.voxelSize.join(' × ')} µm · store <code>${escapeXml(campaign.storePath)}</code></p>
<section id="verdict"><h2>At a glance</h2><ul>${verdict.map((v) => `<li>${v}</li>`).join('')}</ul></section>
<section id="layout"><h2>Tile layout and links</h2><p>Links coloured by correlation (red poor → green good); dotted: rejected pair; dashed: dropped by the optimiser; tiles with dashed red outline were placed nominally.</p>
<div class="row">${charts['layout-top']}${charts['layout-side']}</div></section>
<section id="quality"><h2>Registration quality</h2><div class="row">${charts.correlations}${charts.residuals}</div>
<details><summary>Rejected pairs (${rejected.length})</summary>${rejectedTable}</details></section>
<section id="slices"><h2>Stitched volume</h2><div class="row">${sliceHtml.join('') || '<p>No slice: the volume is too large to compose a preview from the tiles; run \`stitchgraph fuse\` (or \`run --fuse\`) and the report reads its pyramid.</p>'}</div></section>
<section id="intensity"><h2>Intensity correction</h2>${intensitySection(inp.intensity, campaign.config.fusion.intensity_correction)}</section>
<section id="network"><h2>Network statistics</h2><div class="row">${charts['radius-histogram'] ?? ''}${charts['degree-chart'] ?? ''}<div>${netSummary}</div></div></section>
<section id="parameters"><h2>Parameters</h2>${stages}<pre>${escapeXml(JSON.stringify(JSON.parse(params), null, 2))}</pre></section>
</body></html>
`;
  const path = join(campaign.workdir, 'report.html');
  await writeFileAtomic(path, html);
  return path;
}

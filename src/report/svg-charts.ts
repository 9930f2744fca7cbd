/**
 * Small self-contained SVG charts for the campaign report: no plotting library, no network, so the
 * report opens anywhere (a cluster's file browser, an e-mail attachment) and renders identically.
 */

const W = 420;
const H = 240;
const M = { l: 48, r: 12, t: 28, b: 40 };

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

function frame(title: string, xlabel: string, ylabel: string, body: string, xs: [number, number], ys: [number, number], cls: string): string {
  const sx = (v: number) => M.l + ((v - xs[0]) / (xs[1] - xs[0] || 1)) * (W - M.l - M.r);
  const sy = (v: number) => H - M.b - ((v - ys[0]) / (ys[1] - ys[0] || 1)) * (H - M.t - M.b);
  const xt = niceTicks(xs[0], xs[1]).map((v) => `<line x1="${sx(v)}" y1="${H - M.b}" x2="${sx(v)}" y2="${H - M.b + 4}" stroke="#444"/><text x="${sx(v)}" y="${H - M.b + 16}" text-anchor="middle">${fmt(v)}</text>`).join('');
  const yt = niceTicks(ys[0], ys[1], 4).map((v) => `<line x1="${M.l - 4}" y1="${sy(v)}" x2="${M.l}" y2="${sy(v)}" stroke="#444"/><text x="${M.l - 6}" y="${sy(v) + 4}" text-anchor="end">${fmt(v)}</text>`).join('');
  return `<svg class="chart ${cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(title)}</text>
${body}
<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#444"/><line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#444"/>
${xt}${yt}
<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">${escapeXml(xlabel)}</text>
<text transform="translate(12 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(ylabel)}</text>
</svg>`;
}

/** Histogram of values in `bins` equal bins over [lo, hi] (default: the data's range). */
export function histogramSvg(values: number[], opts: { title: string; xlabel: string; bins?: number; range?: [number, number]; color?: string; marker?: { at: number; label: string } ; cls?: string }): string {
  const finite = values.filter(Number.isFinite);
  const bins = opts.bins ?? 20;
  const [lo, hi0] = opts.range ?? [Math.min(...finite, 0), Math.max(...finite, 1)];
  const hi = hi0 > lo ? hi0 : lo + 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]++;
  const maxC = Math.max(1, ...counts);
  const sx = (v: number) => M.l + ((v - lo) / (hi - lo)) * (W - M.l - M.r);
  const sy = (c: number) => H - M.b - (c / maxC) * (H - M.t - M.b);
  const bw = (W - M.l - M.r) / bins;
  let body = counts.map((c, i) => (c > 0 ? `<rect x="${sx(lo + ((hi - lo) * i) / bins) + 0.5}" y="${sy(c)}" width="${Math.max(1, bw - 1)}" height="${H - M.b - sy(c)}" fill="${opts.color ?? '#3b7dd8'}"/>` : '')).join('');
  if (opts.marker && opts.marker.at >= lo && opts.marker.at <= hi) {
    const x = sx(opts.marker.at);
    body += `<line x1="${x}" y1="${M.t}" x2="${x}" y2="${H - M.b}" stroke="#d33" stroke-dasharray="4 3"/><text x="${x + 3}" y="${M.t + 10}" fill="#d33">${escapeXml(opts.marker.label)}</text>`;
  }
  if (finite.length === 0) body += `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text>`;
  return frame(opts.title, opts.xlabel, 'count', body, [lo, hi], [0, maxC], opts.cls ?? 'histogram');
}

/** Bar chart of counts per integer category (e.g. node degree). */
export function barChartSvg(counts: Record<string, number>, opts: { title: string; xlabel: string; color?: string; cls?: string }): string {
  const keys = Object.keys(counts).sort((a, b) => Number(a) - Number(b));
  const maxC = Math.max(1, ...keys.map((k) => counts[k]));
  const n = Math.max(1, keys.length);
  const bw = (W - M.l - M.r) / n;
  const sy = (c: number) => H - M.b - (c / maxC) * (H - M.t - M.b);
  const body = keys
    .map((k, i) => `<rect x="${M.l + i * bw + bw * 0.15}" y="${sy(counts[k])}" width="${bw * 0.7}" height="${H - M.b - sy(counts[k])}" fill="${opts.color ?? '#2a9d8f'}"/><text x="${M.l + (i + 0.5) * bw}" y="${H - M.b + 16}" text-anchor="middle">${escapeXml(k)}</text><text x="${M.l + (i + 0.5) * bw}" y="${sy(counts[k]) - 3}" text-anchor="middle" font-size="9">${counts[k]}</text>`)
    .join('');
  // The x axis here is categorical: draw the frame with a dummy range and no numeric x ticks.
  const svg = frame(opts.title, opts.xlabel, 'count', body, [0, 0], [0, maxC], opts.cls ?? 'bars');
  return svg.replace(/<line x1="[^"]*" y1="\d+(\.\d+)?" x2="[^"]*" y2="\d+(\.\d+)?" stroke="#444"\/><text x="[^"]*" y="\d+(\.\d+)?" text-anchor="middle">0<\/text>/, '');
}

export interface LayoutTile {
  id: string;
  /** Position and shape along the two axes drawn (e.g. y, x for a top view). */
  pos: [number, number];
  size: [number, number];
  group: number;
  nominalOnly?: boolean;
}

export interface LayoutLink {
  a: string;
  b: string;
  correlation: number;
  status: 'ok' | 'rejected' | 'dropped';
}

/** Colour for a correlation in [0, 1]: red (poor) → yellow → green (good). */
export function correlationColor(r: number): string {
  const t = Math.max(0, Math.min(1, r));
  const h = 120 * t;
  return `hsl(${h.toFixed(0)}, 75%, 42%)`;
}

/** Tiles seen along one axis with their links coloured by correlation; dropped links dashed. */
export function layoutSvg(tiles: LayoutTile[], links: LayoutLink[], opts: { title: string; axes: [string, string]; cls?: string }): string {
  const size = 420;
  const pad = 30;
  let lo0 = Infinity, lo1 = Infinity, hi0 = -Infinity, hi1 = -Infinity;
  for (const t of tiles) {
    lo0 = Math.min(lo0, t.pos[0]);
    lo1 = Math.min(lo1, t.pos[1]);
    hi0 = Math.max(hi0, t.pos[0] + t.size[0]);
    hi1 = Math.max(hi1, t.pos[1] + t.size[1]);
  }
  const span = Math.max(hi0 - lo0, hi1 - lo1, 1);
  const s = (size - 2 * pad) / span;
  const X = (v: number) => pad + (v - lo1) * s;
  const Y = (v: number) => pad + (v - lo0) * s;
  const byId = new Map(tiles.map((t) => [t.id, t]));
  const groupColors = ['#1f77b4', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const rects = tiles
    .map((t) => `<rect x="${X(t.pos[1])}" y="${Y(t.pos[0])}" width="${t.size[1] * s}" height="${t.size[0] * s}" fill="${groupColors[t.group % groupColors.length]}" fill-opacity="0.06" stroke="${t.nominalOnly ? '#d33' : groupColors[t.group % groupColors.length]}" stroke-width="${t.nominalOnly ? 2 : 1}"${t.nominalOnly ? ' stroke-dasharray="5 3"' : ''}><title>${escapeXml(t.id)}</title></rect>`)
    .join('');
  const centre = (t: LayoutTile): [number, number] => [X(t.pos[1] + t.size[1] / 2), Y(t.pos[0] + t.size[0] / 2)];
  const lines = links
    .map((l) => {
      const a = byId.get(l.a), b = byId.get(l.b);
      if (!a || !b) return '';
      const [x1, y1] = centre(a), [x2, y2] = centre(b);
      const color = l.status === 'ok' ? correlationColor(l.correlation) : '#d33';
      const dash = l.status === 'dropped' ? ' stroke-dasharray="6 4"' : l.status === 'rejected' ? ' stroke-dasharray="2 3"' : '';
      return `<line class="link-${l.status}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${color}" stroke-width="${l.status === 'ok' ? 3 : 2}"${dash}><title>${escapeXml(`${l.a}–${l.b}: r=${l.correlation.toFixed(3)} (${l.status})`)}</title></line>`;
    })
    .join('');
  return `<svg class="chart ${opts.cls ?? 'layout'}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size + 20}" width="${size}" height="${size + 20}" font-family="sans-serif" font-size="11">
<rect width="${size}" height="${size + 20}" fill="#fff"/>
<text x="${size / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(opts.title)}</text>
${rects}${lines}
<text x="${size / 2}" y="${size + 12}" text-anchor="middle">${escapeXml(opts.axes[1])} →   (↓ ${escapeXml(opts.axes[0])})</text>
</svg>`;
}

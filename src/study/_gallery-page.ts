import type { QueryValue } from './query-study.js';

export interface GalleryEntry {
  /** PNG file name inside the gallery folder. */
  file: string;
  sample: string;
  /** e.g. "label 3" or "row 7". */
  title: string;
  /** The row's columns, for the caption. */
  fields: [string, QueryValue][];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const show = (v: QueryValue) => (typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(5))) : String(v));

/** A self-contained HTML page of the gallery: one figure per row, its id and columns as caption. */
export function galleryPage(title: string, sql: string, entries: GalleryEntry[]): string {
  const figures = entries.map((e) => {
    const fields = e.fields.filter(([, v]) => v !== null).map(([k, v]) => `<span>${escape(k)}=${escape(show(v))}</span>`).join(' ');
    return `<figure><img src="${escape(e.file)}" alt="${escape(`${e.sample} ${e.title}`)}"><figcaption><b>${escape(e.sample)} · ${escape(e.title)}</b><br><small>${fields}</small></figcaption></figure>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:1em}figure{display:inline-block;vertical-align:top;width:220px;margin:6px}img{width:208px;image-rendering:pixelated;border:1px solid #888}figcaption{font-size:12px;word-wrap:break-word}small span{margin-right:4px}pre{white-space:pre-wrap;background:#f4f4f4;padding:6px}</style>
</head><body><h1>${escape(title)}</h1><pre>${escape(sql)}</pre><p>${entries.length} views</p>
${figures.join('\n')}
</body></html>
`;
}

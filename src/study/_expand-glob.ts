import { readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

/** One path segment's pattern (`*`, `?`, `[...]`) as a regular expression; `**` is handled by the walker. */
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasMagic = (segment: string) => /[*?[]/.test(segment);

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
}

async function walk(dir: string, segments: string[], out: Set<string>): Promise<void> {
  if (segments.length === 0) {
    out.add(dir);
    return;
  }
  const [head, ...rest] = segments;
  if (head === '**') {
    await walk(dir, rest, out);
    for (const e of await entries(dir)) if (e.dir && !e.name.startsWith('.')) await walk(join(dir, e.name), segments, out);
    return;
  }
  if (!hasMagic(head)) {
    const list = await entries(dir);
    if (list.some((e) => e.name === head && (rest.length === 0 || e.dir))) await walk(join(dir, head), rest, out);
    return;
  }
  const re = segmentRegExp(head);
  for (const e of await entries(dir)) {
    if (e.name.startsWith('.') || !re.test(e.name)) continue;
    if (rest.length === 0 || e.dir) await walk(join(dir, e.name), rest, out);
  }
}

/**
 * Files matching a glob (`*`, `?`, `[abc]`, `**`), relative to `base` unless absolute, sorted.
 * Node 20 has no fs.glob, and the patterns of a study file need no more than this.
 */
export async function expandGlob(pattern: string, base: string): Promise<string[]> {
  const abs = isAbsolute(pattern) ? pattern : resolve(base, pattern);
  const segments = abs.split(sep).filter((s) => s.length > 0);
  const out = new Set<string>();
  await walk(sep, segments, out);
  return [...out].sort();
}

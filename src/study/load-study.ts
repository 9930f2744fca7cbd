import { readFile } from 'node:fs/promises';
import { describeConfigIssue } from '../campaign/describe-config-issue.js';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { StitchgraphError } from '../errors.js';
import { StudyFileSchema, type StudyFile } from './study-schema.js';
import { expandGlob } from './_expand-glob.js';

export type MetadataValue = string | number | boolean | null;

export interface StudySample {
  /** Sample id: the `sample` column of every table. */
  id: string;
  /** Absolute path of the sample's campaign YAML. */
  campaign: string;
  /** Metadata columns given in the study file's sample list (the CSV's are joined by the database). */
  metadata: Record<string, MetadataValue>;
}

export interface Study {
  /** Absolute path of the study YAML. */
  file: string;
  name: string;
  samples: StudySample[];
  /** Absolute path of the metadata CSV, when given. */
  metadataCsv?: string;
}

function configError(file: string, key: string, line: number | undefined, message: string): StitchgraphError {
  const where = line ? `:${line}` : '';
  return new StitchgraphError('ConfigError', `Cannot load study ${file}${where}: ${key}: ${message}`, { details: { file, key, line } });
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(top level)';
}

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parse and validate study YAML text; errors name the file, the line and the key path. */
function parseStudyText(text: string, file: string): { data: StudyFile; line: (key: string) => number | undefined } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw configError(file, '(yaml)', e.linePos?.[0]?.line, e.message.split('\n')[0]);
  }
  const parsed = StudyFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const { path, message } = describeConfigIssue(issue);
    throw configError(file, keyPath(path), lineOf(doc, lines, path), message);
  }
  return { data: parsed.data, line: (key) => lineOf(doc, lines, [key]) };
}

async function globSamples(pattern: string, file: string, line: number | undefined): Promise<StudySample[]> {
  const files = await expandGlob(pattern, dirname(file));
  if (files.length === 0) throw configError(file, 'samples', line, `the glob "${pattern}" matches no campaign file`);
  const byId = new Map<string, string>();
  for (const campaign of files) {
    const id = basename(dirname(campaign));
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw configError(file, 'samples', line, `folder "${id}" of ${campaign} is not a valid sample id (letters, digits and _ . -)`);
    const other = byId.get(id);
    if (other) throw configError(file, 'samples', line, `two campaigns in folders named "${id}" (${other} and ${campaign}); sample ids must be unique`);
    byId.set(id, campaign);
  }
  return [...byId].map(([id, campaign]) => ({ id, campaign, metadata: {} }));
}

/** The metadata CSV must exist and have a column `id` (checked before any work). */
async function checkMetadataCsv(csv: string, file: string, line: number | undefined): Promise<void> {
  let text: string;
  try {
    text = await readFile(csv, 'utf8');
  } catch {
    throw configError(file, 'metadata', line, `cannot read ${csv}`);
  }
  const header = text.split(/\r?\n/, 1)[0].split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  if (!header.includes('id')) throw configError(file, 'metadata', line, `${csv} has no column "id" (its header: ${header.join(',')})`);
}

/**
 * Read a study file: `{ study, samples: <glob> | [{ id, campaign, ...metadata }], metadata?: csv }`
 * (docs/study.md). Campaign files are not opened here, so one broken sample cannot stop the study.
 */
export async function loadStudy(path: string): Promise<Study> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StitchgraphError('ConfigError', `Cannot load study ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`, { cause: err, details: { file } });
  }
  const { data, line } = parseStudyText(text, file);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  const samples = typeof data.samples === 'string'
    ? await globSamples(data.samples, file, line('samples'))
    : data.samples.map(({ id, campaign, ...metadata }) => ({ id, campaign: abs(campaign), metadata: metadata as Record<string, MetadataValue> }));
  const metadataCsv = data.metadata === undefined ? undefined : abs(data.metadata);
  if (metadataCsv) await checkMetadataCsv(metadataCsv, file, line('metadata'));
  return { file, name: data.study, samples, metadataCsv };
}

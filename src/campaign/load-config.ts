import { readFile } from 'node:fs/promises';
import { describeConfigIssue } from './describe-config-issue.js';
import { looksBinary, sniffFormat } from '../files/sniff-format.js';
import { dirname, resolve, isAbsolute, basename, extname } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { CampaignConfigSchema, type CampaignConfig } from './schema.js';
import { StitchgraphError } from '../errors.js';

export interface LoadedConfig {
  /** Absolute path of the YAML file. */
  file: string;
  /** Validated config with defaults filled in and paths made absolute. */
  config: CampaignConfig & { campaign: string };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** Parse and validate campaign YAML text; `file` names the source in errors and anchors relative paths. */
export function parseCampaignConfig(text: string, file: string): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos?.[0] ? `:${e.linePos[0].line}` : '';
    throw new StitchgraphError('ConfigError', `Cannot read campaign ${file}${where}: ${e.message.split('\n')[0]}`, {
      details: { file, line: e.linePos?.[0]?.line },
    });
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new StitchgraphError('ConfigError', `Cannot read campaign ${file}: expected a YAML mapping at the top level`, {
      details: { file },
    });
  }
  const parsed = CampaignConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const lineOf = (path: readonly PropertyKey[]): number | undefined => {
      // Walk up the path until a node with a source range is found.
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    };
    const { path, message } = describeConfigIssue(issue);
    const line = lineOf(path);
    const where = line ? `:${line}` : '';
    const keyPath = formatPath(path) || '(top level)';
    throw new StitchgraphError('ConfigError', `Cannot load campaign ${file}${where}: ${keyPath}: ${message}`, {
      details: { file, key: keyPath, line, issues: parsed.error.issues },
    });
  }
  const base = dirname(file);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const cfg = parsed.data;
  const config = {
    ...cfg,
    campaign: cfg.campaign ?? basename(file, extname(file)),
    store: abs(cfg.store),
    workdir: abs(cfg.workdir),
  };
  if (cfg.pyramid.store) config.pyramid = { ...cfg.pyramid, store: abs(cfg.pyramid.store) };
  if (config.distributed.mode === 'nats' && config.distributed.creds) {
    config.distributed = { ...config.distributed, creds: abs(config.distributed.creds) };
  }
  return { file, config };
}

/** Read and validate a campaign YAML file. */
export async function loadCampaignConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StitchgraphError('ConfigError', `Cannot load campaign ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err)}`, {
      cause: err,
      details: { file },
    });
  }
  const head = Buffer.from(text.slice(0, 512), 'utf8');
  if (text.includes('\u0000') || looksBinary(head)) {
    const raw = await readFile(file).then((b) => b.subarray(0, 16));
    const format = sniffFormat(raw)?.name ?? 'binary';
    throw new StitchgraphError('ConfigError', `Cannot load campaign ${file}: it is a ${format} file, not a campaign YAML. To analyse one volume give it as --input (stitchgraph analyze --input ${basename(file)} --out DIR); to stitch images, make a campaign with stitchgraph import`, { details: { file, format } });
  }
  return parseCampaignConfig(text, file);
}

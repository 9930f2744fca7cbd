import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getJobHandler } from '../../src/distributed/job-handlers.js';
import '../../src/job-kinds.js';

const dir = resolve(import.meta.dirname, '..', '..', 'src', 'distributed');
/** What the executor layer may use outside itself: no stage. */
const ALLOWED = ['../errors.js', '../log.js', '../campaign/sections/distributed.js'];

describe('src/distributed knows no stage', () => {
  it('imports nothing from the stages (the kinds are registered by the stages that own them)', () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      const outside = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.\.\/[^']+)'/g)].map((m) => m[1]).filter((m) => !ALLOWED.includes(m));
      expect({ file: f, outside }).toEqual({ file: f, outside: [] });
    }
  });

  it('every stage kind listed in src/job-kinds.ts has a handler', async () => {
    for (const kind of ['register-pair', 'fuse-block', 'analyze-block', 'pyramid-block', 'segment-block']) expect(typeof (await getJobHandler(kind))).toBe('function');
  });
});

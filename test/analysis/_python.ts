import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Python with numpy / scipy / scikit-image (not the pyenv `python3`). */
export const PYTHON = '/usr/bin/python3';

/**
 * Run a Python snippet with raw input files; `inputs` are written as `<name>.raw` in a temp folder
 * (available to the snippet as `D`), and each name in `outputs` is read back from `<name>.raw`.
 */
export function runPython(code: string, inputs: Record<string, ArrayBufferView>, outputs: string[]): Record<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-py-'));
  try {
    for (const [name, data] of Object.entries(inputs)) writeFileSync(join(dir, `${name}.raw`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    execFileSync(PYTHON, ['-c', `import numpy as np\nD=${JSON.stringify(dir)}\n${code}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    return Object.fromEntries(outputs.map((n) => [n, readFileSync(join(dir, `${n}.raw`))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { describe, it, expect } from 'vitest';
import { CommanderError } from 'commander';
import { exitCodeFor, failureLine } from '../../src/cli/failure-line.js';
import { StitchgraphError } from '../../src/errors.js';

const sysError = (code: string, path: string) => Object.assign(new Error(`${code}: something, write '${path}'`), { code, path });

describe('the one line a failure ends with, and its exit status', () => {
  it('raw system errors name the path and say what happened', () => {
    expect(failureLine(sysError('ENOSPC', '/data/out/pairs.json'))).toBe('Cannot access /data/out/pairs.json: the disk is full (ENOSPC)');
    expect(failureLine(sysError('EROFS', '/ro/out'))).toBe('Cannot access /ro/out: no permission to write there (EROFS)');
    expect(exitCodeFor(sysError('ENOSPC', '/x'))).toBe(1);
  });

  it('commander and usage errors exit 2; failures 1; only the first line of a message', () => {
    const commander = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'");
    expect(failureLine(commander)).toBe("unknown option '--x' (see --help)");
    expect(exitCodeFor(commander)).toBe(2);
    expect(exitCodeFor(new StitchgraphError('UsageError', 'Cannot parse --pos'))).toBe(2);
    expect(exitCodeFor(new StitchgraphError('JobFailed', 'Cannot register'))).toBe(1);
    expect(failureLine(new StitchgraphError('InputError', 'Cannot read x: bad\n  at line 2'))).toBe('Cannot read x: bad');
  });
});

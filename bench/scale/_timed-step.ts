/**
 * One command under `/usr/bin/time -v`: wall, user+system CPU and peak RSS, as the kernel counts
 * them for the whole process tree the command waits for (worker threads included). A failure
 * throws an error naming the stage, with the tail of what the command wrote.
 */
import { spawn } from 'node:child_process';
import { track } from './_children.js';

export interface Measured {
  stage: string;
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  /** What the command wrote to stdout (the CLI prints its output path or summary there). */
  stdout: string;
  /** The last part of stderr, before /usr/bin/time's own report. */
  stderrTail: string;
}

const TAIL = 64 * 1024;

/** Parse the report of GNU time -v. */
export function parseTimeReport(text: string): { wall_s: number; cpu_s: number; peak_rss_mb: number } {
  const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
  return {
    wall_s: wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN,
    cpu_s: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    peak_rss_mb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

/** Run `argv` under /usr/bin/time -v in `cwd`; resolves with the figures, rejects naming `stage`. */
export function timedStep(stage: string, argv: string[], cwd: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = track(spawn('/usr/bin/time', ['-v', ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    let stdout = '', stderr = '';
    child.stdout?.on('data', (b: Buffer) => (stdout = (stdout + b.toString()).slice(-TAIL)));
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-TAIL)));
    child.once('error', (e) => reject(new Error(`stage ${stage} could not start: ${e.message}`)));
    child.once('close', (code, signal) => {
      const at = stderr.lastIndexOf('\tCommand being timed:');
      const tail = (at >= 0 ? stderr.slice(0, at) : stderr).replace(/^Command (exited with non-zero status|terminated by signal).*\n?/m, '').slice(-4000);
      if (code !== 0) {
        reject(new Error(`stage ${stage} failed (exit ${code ?? signal}): ${argv.join(' ')}\n${tail}`));
        return;
      }
      resolve({ stage, ...parseTimeReport(stderr.slice(Math.max(0, at))), stdout, stderrTail: tail });
    });
  });
}

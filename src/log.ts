import { pino, type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import { Writable } from 'node:stream';

let root: Logger | undefined;
let sink: (text: string) => void = (text) => process.stderr.write(text);

/**
 * Where human-readable log lines go on a terminal (default stderr). The CLI routes them around its
 * progress bars; library code never draws on the terminal itself.
 */
export function setLogSink(write: (text: string) => void): void {
  sink = write;
}

/**
 * The process logger: human-readable (pino-pretty) on a terminal, JSON lines otherwise.
 * Logs go to stderr so that stdout stays clean for data and reports.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  const pretty = process.stderr.isTTY && process.env.STITCHGRAPH_LOG_FORMAT !== 'json';
  // Pretty lines are formatted in this thread (not a transport) so they can pass through the sink.
  root = pretty
    ? pino({ level }, pinoPretty({ colorize: true, translateTime: 'HH:MM:ss', sync: true, destination: new Writable({ write: (chunk: Buffer, _enc, done) => (sink(chunk.toString()), done()) }) }))
    : pino({ level }, pino.destination(2));
  return root;
}

/** The process logger, created on first use at the level in STITCHGRAPH_LOG_LEVEL (default warn for libraries). */
export function getLogger(): Logger {
  if (!root) {
    const env = process.env.STITCHGRAPH_LOG_LEVEL as LevelWithSilent | undefined;
    root = createLogger(env ?? 'warn');
  }
  return root;
}

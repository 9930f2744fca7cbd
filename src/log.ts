import { pino, type Logger, type LevelWithSilent } from 'pino';

let root: Logger | undefined;

/**
 * The process logger: human-readable (pino-pretty) on a terminal, JSON lines otherwise.
 * Logs go to stderr so that stdout stays clean for data and reports.
 */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  const pretty = process.stderr.isTTY && process.env.STITCHGRAPH_LOG_FORMAT !== 'json';
  root = pretty
    ? pino({
        level,
        transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss' } },
      })
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

import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** Every bar drawn at once shares one board, so bars and log lines each keep their own lines. */
let board: cliProgress.MultiBar | undefined;
let active = 0;

function openBoard(): cliProgress.MultiBar {
  board ??= new cliProgress.MultiBar(
    { format: '{label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return board;
}

function closeBoard(): void {
  if (!board) return;
  board.update(); // flush the log lines still buffered above the bars
  board.stop();
  board = undefined;
}

/** A progress bar on a terminal (stderr); silent when stderr is not a terminal (logs, CI). */
export function progressBar(label: string, total: number): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = openBoard().create(total, 0, { label });
  active++;
  let stopped = false;
  return {
    update(done, t) {
      if (t !== undefined) bar.setTotal(t);
      bar.update(done, { label });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
      if (--active === 0) closeBoard();
    },
  };
}

/**
 * Write log text to the terminal without tearing a progress bar: above the bars while any is
 * drawn (they are redrawn below it), straight to stderr otherwise. `src/log.ts` writes through this
 * once the CLI installs it (`setLogSink`).
 */
export function writeAboveProgress(text: string): void {
  if (board && active > 0) board.log(text.endsWith('\n') ? text : `${text}\n`);
  else process.stderr.write(text);
}

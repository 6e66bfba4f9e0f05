import type { CliIo } from './io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;
/** Erase the line the progress text was drawn on. */
const CLEAR_LINE = '\r\x1b[K';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A one-line spinner on stderr while AWS or a token endpoint takes its time. Only on a terminal and
 * never with `--json`: in a pipe, a log or a script it would only be garbage between the results.
 */
export function startProgress(io: CliIo, text: string, options: { json: boolean }): Progress {
  if (!io.stderrIsTTY || options.json) return SILENT;
  let frame = 0;
  let current = text;
  const draw = () => io.stderr(`\r${FRAMES[frame++ % FRAMES.length]} ${current}\x1b[K`);
  draw();
  const timer = setInterval(draw, FRAME_MS);
  // A forgotten spinner must never keep the process alive.
  timer.unref();
  return {
    update: (next) => {
      current = next;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      io.stderr(CLEAR_LINE);
    },
  };
}

/** Runs `work` with a progress line that is cleared however `work` ends. */
export async function withProgress<T>(
  io: CliIo,
  text: string,
  options: { json: boolean },
  work: (progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = startProgress(io, text, options);
  try {
    return await work(progress);
  } finally {
    progress.stop();
  }
}

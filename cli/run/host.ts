import type { Clock, Sleep } from '../../core/ports.js';
import { type LocalRunner, realTimers, type Timers } from '../../local/runner.js';

/**
 * What `run` takes from the process beyond CliIo: signals, the terminal, and time. Tests hand it a
 * simulated clock and timers, and call `stop` themselves instead of sending SIGINT.
 */
export interface RunHost {
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly timers: Timers;
  readonly stdoutIsTTY: boolean;
  readonly columns: number;
  /**
   * Calls `stop` on the first SIGINT or SIGTERM; on a second one, `abandon` (which must be
   * synchronous) and the process ends at once with 130. Returns a function that removes the handlers.
   */
  onSignals(stop: (signal: string) => void, abandon: () => void): () => void;
  /** Handed the runner before it starts, so a test can wait for runs on its simulated clock. */
  readonly attach?: (runner: LocalRunner) => void;
}

/** Exit code of a shell when Ctrl-C ended the program (128 + SIGINT). */
const ABANDONED = 130;

export function processHost(): RunHost {
  return {
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    timers: realTimers,
    stdoutIsTTY: process.stdout.isTTY === true,
    // Some pseudo-terminals report 0 columns.
    columns: process.stdout.columns || 100,
    onSignals(stop, abandon) {
      let received = 0;
      const handler = (signal: NodeJS.Signals) => {
        received += 1;
        if (received === 1) return stop(signal);
        abandon();
        process.exit(ABANDONED);
      };
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

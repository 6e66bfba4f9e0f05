/**
 * Everything the commands take from the process, injected so that tests drive them without one:
 * output streams, whether they are terminals, the environment, the clock and the prompt.
 */
export interface CliIo {
  /** Results: tables, details, JSON. */
  readonly stdout: (text: string) => void;
  /** Errors, warnings, prompts and the progress line. */
  readonly stderr: (text: string) => void;
  /** The progress line is drawn only on a terminal: it would be noise in a log or a pipe. */
  readonly stderrIsTTY: boolean;
  /** `check` asks for missing credentials only when someone can type them. */
  readonly stdinIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Reads one line from the terminal; `hidden` input is not echoed. */
  readonly prompt: (question: string, options: { hidden: boolean }) => Promise<string>;
  /** Relative paths (the providers file) resolve against it. */
  readonly cwd: string;
}

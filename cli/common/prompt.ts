import { read } from 'read';

/** Thrown when the person at the terminal presses Ctrl-C at a prompt. */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

/**
 * Asks one question on a terminal with npm's own prompt (`read`). A hidden answer is not echoed, not
 * even as its length (raw mode, muted output), and the terminal is restored however the prompt ends.
 */
export async function ask(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  question: string,
  options: { hidden: boolean },
): Promise<string> {
  try {
    const answer = await read({ prompt: question, silent: options.hidden, replace: '', input, output, terminal: true });
    // The muted line got no newline of its own; the next message must not continue it.
    if (options.hidden) output.write('\n');
    return options.hidden ? answer : answer.trim();
  } catch (error) {
    // `read` answers Ctrl-C by rejecting with "canceled"; both prompts end the same way.
    if (error instanceof Error && error.message === 'canceled') throw new PromptCancelled();
    throw error;
  }
}

/** The process's prompt: questions on stderr, so that stdout stays clean for results and `--json`. */
export function terminalPrompt(question: string, options: { hidden: boolean }): Promise<string> {
  return ask(process.stdin, process.stderr, question, options);
}

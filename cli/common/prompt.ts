import { createInterface } from 'node:readline/promises';

/** The parts of a TTY stream the prompt uses, so tests can hand it a fake terminal. */
export interface PromptInput extends NodeJS.EventEmitter {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
}

export interface PromptOutput {
  write(text: string): unknown;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** Thrown when the person at the terminal presses Ctrl-C at a prompt. */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

/**
 * Reads a line without echoing it: the terminal is put into raw mode so that not even the length
 * of a password is shown, and restored however the prompt ends.
 */
export function readHidden(input: PromptInput, output: PromptOutput, question: string): Promise<string> {
  output.write(question);
  return new Promise((resolvePrompt, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolvePrompt(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n' || char === CTRL_D) return finish();
        if (char === CTRL_C) return finish(new PromptCancelled());
        if (BACKSPACE.has(char)) value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/** A visible prompt (the username). */
export async function readVisible(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string) {
  const rl = createInterface({ input, output, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } catch (error) {
    // readline answers Ctrl-C with an AbortError; both prompts end the same way.
    if ((error as { name?: string }).name === 'AbortError') {
      output.write('\n');
      throw new PromptCancelled();
    }
    throw error;
  } finally {
    rl.close();
  }
}

/** The process's prompt: questions on stderr, so that stdout stays clean for results and `--json`. */
export function terminalPrompt(question: string, options: { hidden: boolean }): Promise<string> {
  return options.hidden
    ? readHidden(process.stdin, process.stderr, question)
    : readVisible(process.stdin, process.stderr, question);
}

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/common/io.js';
import { PromptCancelled, readHidden, readVisible } from '../../cli/common/prompt.js';
import { startProgress } from '../../cli/common/spinner.js';
import { SECRETS } from './helpers.js';

/** A terminal's stdin that records raw-mode changes. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  paused = true;
  setRawMode(mode: boolean) {
    this.rawModes.push(mode);
  }
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  setEncoding() {}
  type(text: string) {
    this.emit('data', text);
  }
}

function output() {
  const written: string[] = [];
  return { write: (text: string) => void written.push(text), text: () => written.join('') };
}

describe('readHidden', () => {
  it('reads a secret in raw mode without echoing any of it, then restores the terminal', async () => {
    const terminal = new FakeTerminal();
    const out = output();

    const answer = readHidden(terminal, out, 'password: ');
    terminal.type(SECRETS.password.slice(0, 10));
    terminal.type(`${SECRETS.password.slice(10)}x\u007f\r`);

    expect(await answer).toBe(SECRETS.password);
    expect(out.text()).toBe('password: \n');
    expect(terminal.rawModes).toEqual([true, false]);
    expect(terminal.paused).toBe(true);
    expect(terminal.listenerCount('data')).toBe(0);
  });

  it('is cancelled by Ctrl-C, and still restores the terminal', async () => {
    const terminal = new FakeTerminal();

    const answer = readHidden(terminal, output(), 'password: ');
    terminal.type('abc\u0003');

    await expect(answer).rejects.toBeInstanceOf(PromptCancelled);
    expect(terminal.rawModes).toEqual([true, false]);
  });
});

describe('readVisible', () => {
  it('reads a line (the username) with echo', async () => {
    const input = new PassThrough();
    const out = new PassThrough();

    const answer = readVisible(input, out, 'username: ');
    input.write('ops@example.com\r');

    expect(await answer).toBe('ops@example.com');
  });

  it('is cancelled by Ctrl-C like the hidden prompt', async () => {
    const input = new PassThrough();

    const answer = readVisible(input, new PassThrough(), 'username: ');
    input.write('\u0003');

    await expect(answer).rejects.toBeInstanceOf(PromptCancelled);
  });
});

describe('startProgress', () => {
  const io = (stderrIsTTY: boolean) => {
    const written: string[] = [];
    return {
      io: { stderr: (text: string) => void written.push(text), stderrIsTTY } as unknown as CliIo,
      text: () => written.join(''),
    };
  };

  it('draws on a terminal, updates in place and erases itself', () => {
    const { io: tty, text } = io(true);

    const progress = startProgress(tty, 'reading', { json: false });
    progress.update('still reading');
    progress.stop();

    expect(text()).toBe('\r⠋ reading\x1b[K\r⠙ still reading\x1b[K\r\x1b[K');
  });

  it('draws nothing when stderr is not a terminal, or with --json', () => {
    const pipe = io(false);
    const json = io(true);

    startProgress(pipe.io, 'reading', { json: false }).stop();
    startProgress(json.io, 'reading', { json: true }).stop();

    expect(pipe.text()).toBe('');
    expect(json.text()).toBe('');
  });
});

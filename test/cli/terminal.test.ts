import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/common/io.js';
import { ask, PromptCancelled } from '../../cli/common/prompt.js';
import { startProgress } from '../../cli/common/spinner.js';
import { SECRETS } from './helpers.js';

/** A terminal's stdin that records raw-mode changes. */
function fakeTerminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[] });
  Object.assign(input, { setRawMode: (mode: boolean) => input.rawModes.push(mode) });
  const out = new PassThrough();
  const written: string[] = [];
  out.on('data', (chunk) => written.push(String(chunk)));
  // What a person sees: the text without the cursor-movement sequences readline draws with.
  // eslint-disable-next-line no-control-regex
  const visible = () => written.join('').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  return { input, out, visible };
}

describe('ask, hidden', () => {
  it('reads a secret in raw mode without echoing any of it, then restores the terminal', async () => {
    const { input, out, visible } = fakeTerminal();

    const answer = ask(input, out, 'password: ', { hidden: true });
    input.write(SECRETS.password.slice(0, 10));
    input.write(`${SECRETS.password.slice(10)}x\u007f\r`);

    expect(await answer).toBe(SECRETS.password);
    expect(visible()).toBe('password: \n');
    expect(input.rawModes).toEqual([true, false]);
  });

  it('is cancelled by Ctrl-C, and still restores the terminal', async () => {
    const { input, out } = fakeTerminal();

    const answer = ask(input, out, 'password: ', { hidden: true });
    input.write('abc\u0003');

    await expect(answer).rejects.toBeInstanceOf(PromptCancelled);
    expect(input.rawModes).toEqual([true, false]);
  });
});

describe('ask, visible', () => {
  it('reads a line (the username) with echo', async () => {
    const { input, out, visible } = fakeTerminal();

    const answer = ask(input, out, 'username: ', { hidden: false });
    input.write('ops@example.com\r');

    expect(await answer).toBe('ops@example.com');
    expect(visible()).toContain('ops@example.com');
  });

  it('is cancelled by Ctrl-C like the hidden prompt', async () => {
    const { input, out } = fakeTerminal();

    const answer = ask(input, out, 'username: ', { hidden: false });
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

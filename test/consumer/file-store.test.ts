import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenReader, TokenReadError } from '../../consumer/index.js';
import { FILE_MAX_BYTES } from '../../consumer/stores/file.js';
import { publishedToken } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'token-reader-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = () => Math.floor(Date.now() / 1000);
function fileOf(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return `file:${file}`;
}

describe('file: sources are read no further than a published token can reach', () => {
  it('reads a token padded to exactly the largest a store holds', async () => {
    const json = JSON.stringify(publishedToken({ access_token: 'at-padded', issued_at: now() }));
    const source = fileOf('at-limit.json', json.padEnd(FILE_MAX_BYTES, ' '));

    expect(await new TokenReader({ tokenSource: source }).getAccessToken()).toBe('at-padded');
  });

  it('fails with EFBIG, without retrying, for a file one byte larger', async () => {
    const json = JSON.stringify(publishedToken({ issued_at: now() }));
    const source = fileOf('over-limit.json', json.padEnd(FILE_MAX_BYTES + 1, ' '));

    const error = await new TokenReader({ tokenSource: source }).getAccessToken().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(TokenReadError);
    expect(error).toMatchObject({ errorName: 'EFBIG', attempts: 1 });
    expect((error as Error).message).toContain(`more than ${FILE_MAX_BYTES} bytes, more than any published token`);
  });

  const devZero = existsSync('/dev/zero');
  const noDevZero = devZero ? '' : ' [skipped: this system has no /dev/zero]';
  it.skipIf(!devZero)(`refuses a device that never ends (/dev/zero) as no regular file${noDevZero}`, async () => {
    await expect(new TokenReader({ tokenSource: 'file:/dev/zero' }).getAccessToken()).rejects.toMatchObject({
      errorName: 'EFTYPE',
      attempts: 1,
    });
  });

  const fifo = spawnSync('mkfifo', ['--help']).status === 0;
  const noFifo = fifo ? '' : ' [skipped: mkfifo is not installed]';
  it.skipIf(!fifo)(`refuses a FIFO with no writer at once, without holding a thread${noFifo}`, async () => {
    const path = join(dir, 'token.fifo');
    expect(spawnSync('mkfifo', [path]).status).toBe(0);

    await expect(
      new TokenReader({ tokenSource: `file:${path}`, readTimeoutMs: 2_000 }).getAccessToken(),
    ).rejects.toMatchObject({ errorName: 'EFTYPE', attempts: 1 });
    // Node's file I/O threads are all free: a plain read still answers.
    expect(await readFile(join(dir, 'at-limit.json'), 'utf8')).toContain('at-padded');
  });
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenReader, TokenReadError } from '../../consumer/index.js';
import { FILE_MAX_BYTES } from '../../consumer/stores/file.js';
import { publishedToken } from './fakes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'token-reader-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = () => Math.floor(Date.now() / 1000);
function fileOf(name: string, text: string): string {
  const file = path.join(dir, name);
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
  const why = devZero ? '' : ' [skipped: this system has no /dev/zero]';
  it.skipIf(!devZero)(`stops at the limit on a path that never ends (/dev/zero)${why}`, async () => {
    await expect(new TokenReader({ tokenSource: 'file:/dev/zero' }).getAccessToken()).rejects.toMatchObject({
      errorName: 'EFBIG',
    });
  });
});

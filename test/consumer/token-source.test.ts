import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseTokenSource,
  TOKEN_SOURCE_INVALID,
  TokenNotFoundError,
  TokenReadError,
  TokenReader,
  TokenSourceError,
} from '../../consumer/index.js';
import { FakeClock, publishedToken, T0 } from './fakes.js';

describe('Function: parseTokenSource', () => {
  it.each([
    [
      'secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/cv/token-AbCdEf',
      {
        kind: 'secretsmanager',
        secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/cv/token-AbCdEf',
        region: 'eu-west-1',
      },
    ],
    ['secretsmanager:token-refresher/cv/token', { kind: 'secretsmanager', secretId: 'token-refresher/cv/token' }],
    ['ssm:/token-refresher/nagra/token', { kind: 'ssm', parameterName: '/token-refresher/nagra/token' }],
    [
      'ssm:arn:aws:ssm:us-west-2:123456789012:parameter/token-refresher/nagra/token',
      {
        kind: 'ssm',
        parameterName: 'arn:aws:ssm:us-west-2:123456789012:parameter/token-refresher/nagra/token',
        region: 'us-west-2',
      },
    ],
    ['file:./token.json', { kind: 'file', path: './token.json' }],
    ['file:///tmp/token.json', { kind: 'file', path: '/tmp/token.json' }],
  ])('parses %s', (source, expected) => {
    expect(parseTokenSource(source)).toEqual(expected);
  });

  it.each([
    ['', 'tokenSource has no "<kind>:" prefix (got 0 characters)'],
    ['/token-refresher/nagra/token', 'tokenSource has no "<kind>:" prefix (got 28 characters)'],
    ['s3:bucket/key', 'tokenSource kind "s3" is not supported'],
    ['SSM:/a', 'tokenSource kind "SSM" must be lowercase: write "ssm:"'],
    [
      'SecretsManager:token-refresher/cv/token',
      'tokenSource kind "SecretsManager" must be lowercase: write "secretsmanager:"',
    ],
    ['File:./token.json', 'tokenSource kind "File" must be lowercase: write "file:"'],
    ['S3:bucket/key', 'tokenSource kind "S3" is not supported'],
    ['ssm:', 'tokenSource "ssm:" names no resource'],
    ['file:', 'tokenSource "file:" names no file'],
    [
      'file://host/token.json',
      'tokenSource "file://…" is not a valid file URL (use file:///absolute/path or file:relative/path)',
    ],
  ])('fails on %j', (source, problem) => {
    const error = (() => {
      try {
        parseTokenSource(source);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as TokenSourceError;
    expect(error).toBeInstanceOf(TokenSourceError);
    expect(error.code).toBe(TOKEN_SOURCE_INVALID);
    expect(error.message).toBe(
      `token-refresher: ${problem}. Expected "secretsmanager:<secret ARN or name>", "ssm:<parameter name>" or "file:<path>", as in the refresher's tokenSource (its <Id>TokenSource stack output).`,
    );
  });

  it('never echoes a misplaced token', () => {
    // GIVEN the token itself in the variable instead of the source
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    // WHEN / THEN
    expect(() => parseTokenSource(jwt)).toThrow(TokenSourceError);
    expect(() => parseTokenSource(jwt)).not.toThrow(/eyJ/);
    expect(() => parseTokenSource(`Bearer:${jwt}`)).not.toThrow(/eyJ/);
  });
});

describe('file: token source', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'token-reader-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the JSON file and reads it again once the cached token is due', async () => {
    // Prepare
    const file = path.join(dir, 'rotating.json');
    writeFileSync(file, JSON.stringify(publishedToken()));
    const clock = new FakeClock();
    const reader = new TokenReader({ tokenSource: `file:${file}`, clock: clock.now });
    const first = await reader.getAccessToken();
    // Act: a script rotates the file; the reader picks it up at expires_at − skew
    writeFileSync(file, JSON.stringify(publishedToken({ access_token: 'at-file-2', issued_at: T0 + 200 })));
    clock.setSeconds(T0 + 239);
    const cached = await reader.getAccessToken();
    clock.setSeconds(T0 + 240);
    const rotated = await reader.getAccessToken();
    // Assess
    expect([first, cached, rotated]).toEqual(['at-secret-value-1', 'at-secret-value-1', 'at-file-2']);
  });

  it('accepts a file:// URL', async () => {
    // Prepare
    const file = path.join(dir, 'url.json');
    writeFileSync(file, JSON.stringify(publishedToken()));
    // Act / Assess
    const reader = new TokenReader({ tokenSource: pathToFileURL(file).href, clock: new FakeClock().now });
    expect(await reader.getAccessToken()).toBe('at-secret-value-1');
  });

  it('reports a missing file as not found, naming it', async () => {
    // Prepare
    const reader = new TokenReader({ tokenSource: `file:${dir}/absent.json` });
    // Act / Assess
    await expect(reader.getAccessToken()).rejects.toThrow(
      new TokenNotFoundError(`file:${dir}/absent.json`, 'the file does not exist'),
    );
  });

  it('reports an unreadable path with its error code, without retrying', async () => {
    // Prepare: a directory where the file should be
    const sub = path.join(dir, 'a-directory');
    mkdirSync(sub);
    const sleeps: number[] = [];
    const reader = new TokenReader({
      tokenSource: `file:${sub}`,
      sleep: async (ms) => void sleeps.push(ms),
    });
    // Act
    const error = (await reader.getAccessToken().catch((e: unknown) => e)) as TokenReadError;
    // Assess
    expect(error).toBeInstanceOf(TokenReadError);
    expect(error.errorName).toBe('EFTYPE');
    expect(error.attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

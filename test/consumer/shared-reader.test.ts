import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AccessTokenContext,
  getAccessToken,
  sharedTokenReader,
  StaleTokenError,
  TokenReader,
  tokenMiddleware,
  TokenSourceError,
} from '../../consumer/index.js';
import { publishedToken } from './fakes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'token-reader-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

let files = 0;
/** A fresh `file:` source (each test its own, since shared readers live for the whole process). */
function tokenFile(token: object = publishedToken({ issued_at: Math.floor(Date.now() / 1000) })): string {
  const file = path.join(dir, `token-${++files}.json`);
  writeFileSync(file, JSON.stringify(token));
  return `file:${file}`;
}

/**
 * What Lambda passes: a plain context. middy types the outer handler with the inner handler's context,
 * which includes what middlewares add, so tests cast where Lambda would not check.
 */
const lambdaContext = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'req-1' } as unknown as Context &
  AccessTokenContext<'accessToken' | 'clickviewToken'>;

describe('Function: getAccessToken', () => {
  it('reads the source named by TOKEN_SOURCE', async () => {
    // Prepare
    vi.stubEnv('TOKEN_SOURCE', tokenFile());
    // Act / Assess
    expect(await getAccessToken()).toBe('at-secret-value-1');
  });

  it('reads an explicit source', async () => {
    expect(
      await getAccessToken(
        tokenFile(publishedToken({ access_token: 'at-explicit', issued_at: (Date.now() / 1000) | 0 })),
      ),
    ).toBe('at-explicit');
  });

  it('rejects with TokenSourceError when no source is given and TOKEN_SOURCE is unset', async () => {
    // Prepare
    vi.stubEnv('TOKEN_SOURCE', undefined);
    // Act / Assess
    await expect(getAccessToken()).rejects.toThrow(TokenSourceError);
    await expect(getAccessToken()).rejects.toThrow(/the TOKEN_SOURCE environment variable is not set/);
  });
});

describe('Function: sharedTokenReader', () => {
  it('returns one reader per source for the whole process', () => {
    // Prepare
    const a = tokenFile();
    const b = tokenFile();
    // Act / Assess
    expect(sharedTokenReader(a)).toBe(sharedTokenReader(a));
    expect(sharedTokenReader(a)).not.toBe(sharedTokenReader(b));
    expect(sharedTokenReader(a)).toBeInstanceOf(TokenReader);
  });
});

describe('Function: tokenMiddleware', () => {
  it('puts a fresh access token on context.accessToken before the handler runs', async () => {
    // Prepare
    vi.stubEnv('TOKEN_SOURCE', tokenFile());
    const handler = middy(async (_event: unknown, context: AccessTokenContext) => context.accessToken.length).use(
      tokenMiddleware(),
    );
    // Act
    const length = await handler({}, lambdaContext);
    // Assess
    expect(length).toBe('at-secret-value-1'.length);
  });

  it('uses contextKey and an explicit reader', async () => {
    // Prepare
    const reader = new TokenReader({ tokenSource: tokenFile() });
    const seen: string[] = [];
    const handler = middy(async (_event: unknown, context: AccessTokenContext<'clickviewToken'>) => {
      seen.push(context.clickviewToken);
    }).use(tokenMiddleware({ reader, contextKey: 'clickviewToken' }));
    // Act
    await handler({}, { ...lambdaContext });
    // Assess
    expect(seen).toEqual(['at-secret-value-1']);
  });

  it('fails the invocation with StaleTokenError and never calls the handler with a stale token', async () => {
    // Prepare: the stored token has 30 s left
    const source = tokenFile(publishedToken({ issued_at: Math.floor(Date.now() / 1000) - 270 }));
    const inner = vi.fn(async () => 'called');
    const handler = middy(inner).use(tokenMiddleware({ tokenSource: source }));
    // Act / Assess
    await expect(handler({}, { ...lambdaContext })).rejects.toThrow(StaleTokenError);
    expect(inner).not.toHaveBeenCalled();
  });

  it('resolves the reader on the first invocation, so a missing TOKEN_SOURCE does not crash the cold start', async () => {
    // Prepare
    vi.stubEnv('TOKEN_SOURCE', undefined);
    // Act
    const middleware = tokenMiddleware();
    const handler = middy(async () => 'ok').use(middleware);
    // Assess
    await expect(handler({}, { ...lambdaContext })).rejects.toThrow(TokenSourceError);
  });
});

/**
 * A store read that never answers. SDK clients have no request timeout by default, so without the
 * reader's own deadline one hung connection would hold every caller of the reader forever.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  TOKEN_READ_FAILED,
  TokenReader,
  type TokenReaderOptions,
  TokenReadError,
  tokenMiddleware,
} from '../../consumer/index.js';
import { FakeClock, HeldParameterStore, publishedToken, recordingSleep } from './fakes.js';

function reader(ssm: SSMClient, options: Partial<TokenReaderOptions> = {}) {
  const clock = new FakeClock();
  const r = new TokenReader({ tokenSource: 'ssm:/p/token', ssm, clock: clock.now, ...options });
  return { reader: r, clock };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as TokenReadError,
  );

describe('TokenReader: readTimeoutMs', () => {
  it('ends a read that never answers, retries it, and is not wedged afterwards', async () => {
    // Prepare: a client that ignores the abort signal and never answers
    const store = new HeldParameterStore();
    store.current = publishedToken();
    const { sleep } = recordingSleep();
    const { reader: r, clock } = reader(store.client, { readTimeoutMs: 150, maxAttempts: 2, sleep });
    // Act: a second caller joins the hung read
    const first = r.getAccessToken();
    const second = r.getAccessToken();
    const errors = await Promise.all([rejection(first), rejection(second)]);
    // Assess
    expect(errors[1]).toBe(errors[0]);
    expect(errors[0]).toBeInstanceOf(TokenReadError);
    expect(errors[0]?.message).toMatch(
      /^token-refresher: reading ssm:\/p\/token failed after 2 attempts: TimeoutError \(no answer within 1\d\d ms\)$/,
    );
    expect(store.reads).toBe(2);
    // Act: once the failure cache is over, the next call reads again
    store.open.length = 0;
    clock.advanceSeconds(1);
    const third = r.getAccessToken();
    await store.arrived();
    store.answer();
    // Assess
    expect(await third).toBe('at-secret-value-1');
  });

  it('ends the whole read, backoff included, within maxAttempts × readTimeoutMs', async () => {
    // Prepare: 4 × 200 ms plus real backoff (at least 50 + 100 + 200 ms) would take 1150 ms or more
    const store = new HeldParameterStore();
    const { reader: r } = reader(store.client, { readTimeoutMs: 200, maxAttempts: 4 });
    // Act
    const started = performance.now();
    const error = await rejection(r.getAccessToken());
    const elapsed = performance.now() - started;
    // Assess
    expect(error).toBeInstanceOf(TokenReadError);
    expect(error?.errorName).toBe('TimeoutError');
    expect(elapsed).toBeLessThan(1_000);
  });

  it('aborts the SDK request: the real client drops the connection of a hung read', async () => {
    // Prepare: an endpoint that accepts the request and never answers
    let closed = 0;
    const server = createServer((request) => request.socket.on('close', () => closed++));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new SSMClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const { reader: r } = reader(client, { readTimeoutMs: 300, maxAttempts: 1 });
      // Act
      const error = await rejection(r.getAccessToken());
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Assess: reported as the reader's timeout, and the socket is gone
      expect(error?.errorName).toBe('TimeoutError');
      expect(closed).toBe(1);
    } finally {
      client.destroy();
      server.close();
    }
  });
});

describe('tokenMiddleware: the invocation deadline', () => {
  it('fails the invocation with TOKEN_READ_FAILED shortly before it would time out', { timeout: 5_000 }, async () => {
    // Prepare: a read that outlasts the 600 ms the invocation has left
    const store = new HeldParameterStore();
    const { reader: r } = reader(store.client, { readTimeoutMs: 60_000 });
    const handler = middy(async () => 'called').use(tokenMiddleware({ reader: r }));
    const context = { getRemainingTimeInMillis: () => 600 } as unknown as Context;
    // Act
    const started = performance.now();
    const error = await handler({}, context).then(
      () => undefined,
      (e: unknown) => e as TokenReadError,
    );
    // Assess: 500 ms are left for reporting the failure
    expect(error?.code).toBe(TOKEN_READ_FAILED);
    expect(error?.message).toBe(
      'token-refresher: no token from ssm:/p/token within the 100 ms the invocation had left: the store is slow or unreachable',
    );
    expect(performance.now() - started).toBeLessThan(400);
    store.answer(); // lets the held read end
  });
});

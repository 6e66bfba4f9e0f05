/**
 * `invalidate()` under load: many requests rejected with the same token, and a provider that revoked
 * a token the store still holds. Each case would turn a burst of 401s into a burst of store reads.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { TokenReader, type TokenReaderOptions, TokenReadError } from '../../consumer/index.js';
import type { PublishedToken } from '../../contract/published-token.js';
import { awsError, FakeClock, HeldParameterStore, publishedToken, settle } from './fakes.js';

/** A Parameter Store that answers at once with `value()`, or fails with what it returns when that is an Error. */
function instantStore(value: () => PublishedToken | Error) {
  const store = { reads: 0, client: undefined as unknown as SSMClient };
  store.client = {
    send: async () => {
      store.reads++;
      const v = value();
      if (v instanceof Error) throw v;
      return { Parameter: { Value: JSON.stringify(v) } };
    },
  } as unknown as SSMClient;
  return store;
}

function reader(ssm: SSMClient, options: Partial<TokenReaderOptions> = {}) {
  const clock = new FakeClock();
  const r = new TokenReader({ tokenSource: 'ssm:/p/token', ssm, clock: clock.now, sleep: async () => {}, ...options });
  return { reader: r, clock };
}

describe('Method: invalidate, under load', () => {
  it('lets many requests rejected with the same token share one re-read', async () => {
    // Prepare: token A cached; the refresher publishes B and the provider revokes A
    const store = new HeldParameterStore();
    store.current = publishedToken({ access_token: 'at-A' });
    const { reader: r } = reader(store.client);
    const first = r.getAccessToken();
    await store.arrived();
    store.answer();
    await first;
    store.current = publishedToken({ access_token: 'at-B' });
    // Act: five requests get 401 with A, each following the 401 rule
    const retries: Promise<string>[] = [];
    for (let i = 0; i < 5; i++) {
      r.invalidate('at-A');
      retries.push(r.getAccessToken());
    }
    await store.arrived();
    await settle();
    while (store.open.length > 0) store.answer();
    // Assess: one read before, one shared re-read after
    expect(await Promise.all(retries)).toEqual(Array(5).fill('at-B'));
    expect(store.reads).toBe(2);
  });

  it('reads once per holdoff while the store hands back the rejected token', async () => {
    // Prepare: the provider revoked the token early; the store still holds it
    const store = instantStore(() => publishedToken({ access_token: 'at-revoked' }));
    const { reader: r, clock } = reader(store.client);
    // Act: 100 requests, each rejected twice (first call and retry), as the 401 rule says
    const retried: string[] = [];
    for (let i = 0; i < 100; i++) {
      r.invalidate(await r.getAccessToken());
      retried.push(await r.getAccessToken());
    }
    const readsInHoldoff = store.reads;
    clock.advanceSeconds(5);
    r.invalidate('at-revoked');
    await r.getAccessToken();
    // Assess: the first read, one re-read, then one more once the 5 s holdoff is over
    expect(new Set(retried)).toEqual(new Set(['at-revoked']));
    expect(readsInHoldoff).toBe(2);
    expect(store.reads).toBe(3);
  });

  it('re-reads on every invalidate() with rejectedHoldoffSeconds 0', async () => {
    // Prepare
    const store = instantStore(() => publishedToken({ access_token: 'at-revoked' }));
    const { reader: r } = reader(store.client, { rejectedHoldoffSeconds: 0 });
    // Act
    for (let i = 0; i < 3; i++) r.invalidate(await r.getAccessToken());
    await r.getAccessToken();
    // Assess
    expect(store.reads).toBe(4);
  });

  it('returns a newer token read after the holdoff', async () => {
    // Prepare
    let current = publishedToken({ access_token: 'at-revoked' });
    const store = instantStore(() => current);
    const { reader: r, clock } = reader(store.client);
    r.invalidate(await r.getAccessToken());
    await r.getAccessToken();
    // Act: the refresher publishes a new token; the holdoff ends
    current = publishedToken({ access_token: 'at-new', issued_at: current.issued_at + 6 });
    clock.advanceSeconds(6);
    r.invalidate('at-revoked');
    // Assess
    expect(await r.getAccessToken()).toBe('at-new');
  });

  it("does not retry a read it abandoned; that read's callers get the current one's answer", async () => {
    // Prepare: a read in flight, then invalidate() and a second read
    const store = new HeldParameterStore();
    store.current = publishedToken();
    const { reader: r } = reader(store.client);
    const early = r.getAccessToken();
    await store.arrived();
    r.invalidate();
    const late = r.getAccessToken();
    await settle();
    // Act: the abandoned read is throttled
    store.fail(awsError('ThrottlingException'));
    await settle();
    const readsAfterThrottle = store.reads;
    while (store.open.length > 0) store.answer();
    // Assess
    expect(readsAfterThrottle).toBe(2);
    expect(await Promise.all([early, late])).toEqual(['at-secret-value-1', 'at-secret-value-1']);
  });

  it('keeps the failure cache when the re-read of the rejected token failed', async () => {
    // Prepare: the re-read after the first 401 fails
    let answer: PublishedToken | Error = publishedToken({ access_token: 'at-A' });
    const store = instantStore(() => answer);
    const { reader: r } = reader(store.client);
    const rejected = await r.getAccessToken();
    answer = awsError('AccessDeniedException');
    r.invalidate(rejected);
    await expect(r.getAccessToken()).rejects.toThrow(TokenReadError);
    // Act: another request got 401 with the same token
    r.invalidate(rejected);
    const second = r.getAccessToken();
    // Assess: answered from the failure cache, no third read
    await expect(second).rejects.toThrow(TokenReadError);
    expect(store.reads).toBe(2);
  });
});

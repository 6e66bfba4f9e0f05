/**
 * Properties of TokenReader with overlapping callers: store reads are held open while callers
 * arrive, the clock runs on and the refresher publishes, reads are answered late (with what the
 * store held when they arrived) or throttled and retried, and callers invalidate.
 *
 * - safety: a token is fresh (more than `skewSeconds` left) when the caller gets it, and was really
 *   published; every failure is StaleTokenError, TokenNotFoundError or the throttling giving up;
 * - sharing: a caller that arrives while the current read is open joins it, and at most one read
 *   per invalidation epoch is open at a time;
 * - liveness: once the store answers, every caller settles.
 */
import '@aws-sdk/client-ssm'; // loaded up front, so that a read reaches the store within settle()
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StaleTokenError, TokenNotFoundError, TokenReader, TokenReadError } from '../../consumer/index.js';
import { awsError, FakeClock, HeldParameterStore, publishedToken, settle } from './fakes.js';

type Op =
  | { kind: 'call' }
  | { kind: 'answer' }
  | { kind: 'throttle' }
  | { kind: 'advance'; ms: number }
  | { kind: 'publish'; lifetimeSeconds: number; ageSeconds: number }
  | { kind: 'invalidate'; withToken: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'call' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'answer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'throttle' as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 200_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ lifetimeSeconds: fc.integer({ min: 1, max: 600 }), ageSeconds: fc.integer({ min: 0, max: 30 }) })
      .map((p) => ({ kind: 'publish' as const, ...p })),
  },
  { weight: 1, arbitrary: fc.boolean().map((withToken) => ({ kind: 'invalidate' as const, withToken })) },
);

async function run(ops: Op[], skewSeconds: number): Promise<void> {
  const clock = new FakeClock();
  const store = new HeldParameterStore();
  const published = new Set<string>();
  const reader = new TokenReader({
    tokenSource: 'ssm:/token-refresher/p/token',
    ssm: store.client,
    clock: clock.now,
    sleep: async () => {},
    skewSeconds,
    maxAttempts: 3,
    readTimeoutMs: 60_000, // reads end when the test answers them, not on a timer
  });
  const callers: Promise<void>[] = [];
  let settled = 0;
  let lastReturned: string | undefined;
  let serial = 0;

  for (const step of ops) {
    switch (step.kind) {
      case 'call': {
        const currentReadOpen = store.open.some((read) => read.epoch === store.epoch);
        const readsBefore = store.reads;
        callers.push(
          reader.getToken().then(
            (token) => {
              settled++;
              lastReturned = token.access_token;
              expect(token.expires_at * 1000 - clock.nowMs).toBeGreaterThan(skewSeconds * 1000);
              expect(published.has(JSON.stringify(token))).toBe(true);
            },
            (error: unknown) => {
              settled++;
              const expected =
                error instanceof StaleTokenError ||
                error instanceof TokenNotFoundError ||
                (error instanceof TokenReadError && error.errorName === 'ThrottlingException');
              expect(expected, String(error)).toBe(true);
            },
          ),
        );
        await settle();
        if (currentReadOpen) expect(store.reads, 'a caller did not join the open read').toBe(readsBefore);
        break;
      }
      case 'answer':
        store.answer();
        break;
      case 'throttle':
        store.fail(awsError('ThrottlingException'));
        break;
      case 'advance':
        clock.nowMs += step.ms;
        break;
      case 'publish': {
        const issuedAt = Math.floor(clock.nowMs / 1000) - step.ageSeconds;
        store.current = publishedToken({
          access_token: `at-${++serial}`,
          issued_at: issuedAt,
          lifetimeSeconds: step.lifetimeSeconds,
        });
        published.add(JSON.stringify(store.current));
        break;
      }
      case 'invalidate':
        store.epoch++; // reads open before may be abandoned now
        reader.invalidate(step.withToken ? lastReturned : undefined);
        break;
    }
    await settle();
    expect(store.open.filter((read) => read.epoch === store.epoch).length).toBeLessThanOrEqual(1);
  }

  // Liveness: the store answers everything still open; every caller settles.
  while (store.open.length > 0) {
    store.answer();
    await settle();
  }
  expect(settled).toBe(callers.length);
  await Promise.all(callers);
}

describe('TokenReader properties with overlapping callers', () => {
  it('hands out only fresh published tokens, shares open reads and settles every caller', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 120 }), run),
      { numRuns: 300 },
    );
  });
});

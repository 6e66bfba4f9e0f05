/**
 * Properties of TokenReader over arbitrary interleavings of reads, clock advances, publications by
 * the refresher (any lifetime, also shorter than the skew) and invalidations:
 *
 * - safety: a returned token always has more than `skewSeconds` left, and was really published;
 *   every failure is StaleTokenError or TokenNotFoundError;
 * - liveness: without the failure cache, a read succeeds whenever the store holds a fresh token.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StaleTokenError, TokenNotFoundError, TokenReader } from '../../consumer/index.js';
import type { PublishedToken } from '../../contract/published-token.js';
import { FakeClock, publishedToken } from './fakes.js';

type Op =
  | { kind: 'read' }
  | { kind: 'advance'; ms: number }
  | { kind: 'toBoundary'; offsetMs: number }
  | { kind: 'publish'; lifetimeSeconds: number; ageSeconds: number }
  | { kind: 'invalidate'; withToken: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'read' as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 400_000 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  // Land on (or 1 ms around) the instant the newest token reaches expires_at − skew: the edge case.
  {
    weight: 1,
    arbitrary: fc.integer({ min: -1, max: 1 }).map((offsetMs) => ({ kind: 'toBoundary' as const, offsetMs })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ lifetimeSeconds: fc.integer({ min: 1, max: 900 }), ageSeconds: fc.integer({ min: 0, max: 30 }) })
      .map((p) => ({ kind: 'publish' as const, ...p })),
  },
  { weight: 1, arbitrary: fc.boolean().map((withToken) => ({ kind: 'invalidate' as const, withToken })) },
);

/** A Parameter Store holding whatever the simulated refresher last published. */
class FakeParameterStore {
  current: PublishedToken | undefined;
  readonly published = new Set<string>();
  reads = 0;
  readonly client = {
    send: async () => {
      this.reads++;
      if (!this.current) throw Object.assign(new Error(''), { name: 'ParameterNotFound' });
      return { Parameter: { Value: JSON.stringify(this.current) } };
    },
  } as unknown as SSMClient;

  publish(token: PublishedToken): void {
    this.current = token;
    this.published.add(JSON.stringify(token));
  }
}

async function run(
  ops: Op[],
  skewSeconds: number,
  failureCacheSeconds: number,
  check: (outcome: { token?: PublishedToken; error?: unknown; nowMs: number; store: FakeParameterStore }) => void,
): Promise<void> {
  const clock = new FakeClock();
  const store = new FakeParameterStore();
  const reader = new TokenReader({
    tokenSource: 'ssm:/token-refresher/p/token',
    ssm: store.client,
    clock: clock.now,
    sleep: async () => {},
    skewSeconds,
    failureCacheSeconds,
  });
  let lastReturned: string | undefined;
  let serial = 0;
  for (const step of ops) {
    switch (step.kind) {
      case 'advance':
        clock.nowMs += step.ms;
        break;
      case 'toBoundary':
        if (store.current)
          clock.nowMs = Math.max(clock.nowMs, (store.current.expires_at - skewSeconds) * 1000 + step.offsetMs);
        break;
      case 'publish': {
        const issuedAt = Math.floor(clock.nowMs / 1000) - step.ageSeconds;
        store.publish(
          publishedToken({
            access_token: `at-${++serial}`,
            issued_at: issuedAt,
            lifetimeSeconds: step.lifetimeSeconds,
          }),
        );
        break;
      }
      case 'invalidate':
        reader.invalidate(step.withToken ? lastReturned : undefined);
        break;
      case 'read':
        try {
          const token = await reader.getToken();
          lastReturned = token.access_token;
          check({ token, nowMs: clock.nowMs, store });
        } catch (error) {
          check({ error, nowMs: clock.nowMs, store });
        }
        break;
    }
  }
}

const ops = fc.array(op, { minLength: 1, maxLength: 60 });
const skew = fc.integer({ min: 0, max: 120 });

describe('TokenReader properties', () => {
  it('never returns a token with skewSeconds or less left, and fails only with StaleTokenError or TokenNotFoundError', async () => {
    await fc.assert(
      fc.asyncProperty(ops, skew, fc.constantFrom(0, 1, 2), async (sequence, skewSeconds, failureCacheSeconds) => {
        await run(sequence, skewSeconds, failureCacheSeconds, ({ token, error, nowMs, store }) => {
          if (token) {
            expect(token.expires_at * 1000 - nowMs).toBeGreaterThan(skewSeconds * 1000);
            expect(store.published.has(JSON.stringify(token))).toBe(true);
          } else {
            expect(error instanceof StaleTokenError || error instanceof TokenNotFoundError, String(error)).toBe(true);
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it('returns a token whenever the store holds a fresh one (failure cache off)', async () => {
    await fc.assert(
      fc.asyncProperty(ops, skew, async (sequence, skewSeconds) => {
        await run(sequence, skewSeconds, 0, ({ token, error, nowMs, store }) => {
          const storeIsFresh =
            store.current !== undefined && store.current.expires_at * 1000 - nowMs > skewSeconds * 1000;
          if (storeIsFresh) expect(token, String(error)).toBeDefined();
        });
      }),
      { numRuns: 500 },
    );
  });

  it('reads the store at most once per published token while it stays fresh and nobody invalidates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant({ kind: 'read' as const }),
            fc.integer({ min: 0, max: 5_000 }).map((ms) => ({ kind: 'advance' as const, ms })),
          ),
          {
            maxLength: 200,
          },
        ),
        async (sequence) => {
          // GIVEN one 300 s token, read and advanced through less than its fresh period (240 s)
          const steps: Op[] = [{ kind: 'publish', lifetimeSeconds: 300, ageSeconds: 0 }, ...sequence.slice(0, 40)];
          let reads = 0;
          await run(steps, 60, 1, ({ store }) => {
            reads = store.reads;
          });
          expect(reads).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

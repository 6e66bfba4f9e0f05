/** Shared fixtures of the consumer tests: a published token, a settable clock and a recording sleep. */
import type { PublishedToken } from '../../lib/schema/published-token';

/** 2026-01-01T00:00:00Z: a round start time keeps expected ISO strings readable. */
export const T0_MS = Date.UTC(2026, 0, 1);
export const T0 = T0_MS / 1000;

/** A published token issued at `issuedAt` (epoch s) that lives `lifetimeSeconds`. */
export function publishedToken(overrides: Partial<PublishedToken> & { lifetimeSeconds?: number } = {}): PublishedToken {
  const { lifetimeSeconds = 300, ...rest } = overrides;
  const issuedAt = rest.issued_at ?? T0;
  return {
    access_token: 'at-secret-value-1',
    token_type: 'Bearer',
    expires_at: issuedAt + lifetimeSeconds,
    issued_at: issuedAt,
    provider: 'nagra',
    scope: 'openid',
    ...rest,
  };
}

export class FakeClock {
  constructor(public nowMs = T0_MS) {}
  readonly now = (): number => this.nowMs;
  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
  setSeconds(epochSeconds: number): void {
    this.nowMs = epochSeconds * 1000;
  }
}

/** A sleep that returns at once and records each delay. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}

/** An AWS SDK-shaped error: the SDK maps the wire `__type` to `name` and keeps the HTTP status. */
export function awsError(name: string, status = 400, message = `${name} message`): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? 'server' : 'client',
  });
}

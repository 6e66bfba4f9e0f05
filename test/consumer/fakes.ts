/** Shared fixtures of the consumer tests: a published token, a settable clock and a recording sleep. */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { PublishedToken } from '../../contract/published-token.js';

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

/**
 * A Parameter Store whose reads stay open until the test answers them, oldest first: shows what
 * callers do while a read is in flight. `abortSignal` is ignored, as a hung connection would.
 */
export class HeldParameterStore {
  current: PublishedToken | undefined;
  reads = 0;
  /** A label the test may change; each read keeps the one it arrived under. */
  epoch = 0;
  /** Open reads, with the value the store held when each one arrived. */
  readonly open: {
    value: PublishedToken | undefined;
    epoch: number;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];
  readonly client = {
    send: () =>
      new Promise((resolve, reject) => {
        this.reads++;
        this.open.push({ value: this.current, epoch: this.epoch, resolve, reject });
      }),
  } as unknown as SSMClient;

  /** Waits until a read is open: the first one comes only after the SDK module is imported. */
  async arrived(): Promise<void> {
    for (const start = Date.now(); this.open.length === 0; await settle()) {
      if (Date.now() - start > 5_000) throw new Error('no store read arrived within 5 s');
    }
  }

  /** Answers the oldest open read with what the store held when it arrived. */
  answer(): void {
    const read = this.open.shift();
    if (!read) return;
    if (read.value) read.resolve({ Parameter: { Value: JSON.stringify(read.value) } });
    else read.reject(Object.assign(new Error(''), { name: 'ParameterNotFound' }));
  }

  /** Fails the oldest open read with `error`. */
  fail(error: unknown): void {
    this.open.shift()?.reject(error);
  }
}

/** Lets the reader run up to its next store call: it imports the SDK module before each one. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

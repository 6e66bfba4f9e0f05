import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { PublishedToken } from '../contract/published-token.js';
import {
  DEFAULT_FAILURE_CACHE_SECONDS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_READ_TIMEOUT_MS,
  DEFAULT_REJECTED_HOLDOFF_SECONDS,
  DEFAULT_SKEW_SECONDS,
} from './constants.js';
import { StaleTokenError, TokenNotFoundError, TokenReaderError } from './errors.js';
import { parsePublishedToken } from './parse-token.js';
import { type ReadPolicy, readWithRetries } from './read-store.js';
import { fileStore } from './stores/file.js';
import { secretsManagerStore } from './stores/secrets-manager.js';
import { ssmStore } from './stores/ssm.js';
import type { TokenStoreReader } from './stores/store.js';
import { parseTokenSource } from './token-source.js';

export interface TokenReaderOptions {
  /**
   * Where the refresher publishes the token: `secretsmanager:<secret ARN>` or `ssm:<parameter name>`
   * (the construct's `tokenSource`), or `file:<path>` to a JSON file for local work.
   */
  readonly tokenSource: string;
  /**
   * A token is handed out only while it has more than this many seconds left; the cache ends then too.
   * @default 60 (the refresher's default minValiditySeconds)
   */
  readonly skewSeconds?: number;
  /**
   * Client for `secretsmanager:` sources. An injected client keeps its own SDK retries, which multiply
   * the reader's `maxAttempts`: create it with `maxAttempts: 1`.
   * @default - created on first read, with SDK retries off
   */
  readonly secretsManager?: SecretsManagerClient;
  /** Client for `ssm:` sources, as `secretsManager`. @default - created on first read, with SDK retries off */
  readonly ssm?: SSMClient;
  /**
   * Current time in epoch milliseconds; also measures elapsed time once the wall clock proved to be
   * behind. @default Date.now, with `performance.now()` for elapsed time
   */
  readonly clock?: () => number;
  /** Waits between retries. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Store reads per refresh of the cache when the store throttles (ThrottlingException,
   * TooManyRequestsException), answers 5xx, times out or rejects the signing time (clock skew).
   * Backoff is exponential with jitter.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Milliseconds before one store read attempt is aborted and counted as a retryable timeout. A whole
   * read, backoff included, ends within `maxAttempts × readTimeoutMs` (8 s by default): keep that
   * below your Lambda timeout.
   * @default 2000
   */
  readonly readTimeoutMs?: number;
  /**
   * After a failed read, the same error is thrown for this many seconds without reading again, so
   * that a busy consumer does not turn a failing refresher into a store throttling storm.
   * `invalidate()` ends it early; 0 turns it off.
   * @default 1
   */
  readonly failureCacheSeconds?: number;
  /**
   * When the re-read after `invalidate(token)` hands back that same token (the provider revoked it
   * early and the refresher has not replaced it yet), further `invalidate(token)` calls read nothing
   * for this many seconds and callers get the token back, so a 401 storm does not become a read storm.
   * @default 5
   */
  readonly rejectedHoldoffSeconds?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads one provider's published token and caches it until `expires_at − skewSeconds`.
 *
 * - Never returns a token with `skewSeconds` or less left; when the store holds only such a token it
 *   throws `StaleTokenError` (the refresher is failing).
 * - Never trusts a clock that runs behind the refresher's: a token whose `issued_at` lies in this
 *   clock's future proves it is at least that far behind, and from then on the reader keeps the
 *   refresher's time with a monotonic clock, which later wall-clock corrections do not disturb.
 * - Concurrent callers share one store read.
 * - After an API answers 401, call `invalidate(accessToken)` and read once more. If the store still
 *   holds the same token, you get it back only while it is fresh; then fail the API call rather than loop.
 *
 * Create one reader per token source at module scope (Lambda) or per process (ECS) and reuse it.
 *
 * @example
 * import { TokenReader } from '@token-refresher/reader';
 *
 * // Module scope: one reader, one cache, for every invocation of this container.
 * const reader = new TokenReader({ tokenSource: process.env.TOKEN_SOURCE!, skewSeconds: 120 });
 *
 * export async function handler() {
 *   const accessToken = await reader.getAccessToken();
 *   const response = await fetch('https://api.example.com/v1/items', {
 *     headers: { authorization: `Bearer ${accessToken}` },
 *   });
 *   if (response.status === 401) reader.invalidate(accessToken); // the next read goes to the store
 *   return response.json();
 * }
 */
export class TokenReader {
  readonly tokenSource: string;
  readonly skewSeconds: number;
  private readonly store: TokenStoreReader;
  private readonly clock: () => number;
  private readonly monotonic: () => number;
  /** The refresher's time at one moment, and the monotonic time then: set when this clock proved behind. */
  private refresherTime: { readonly atMs: number; readonly monotonicMs: number } | undefined;
  private readonly readPolicy: ReadPolicy;
  private readonly failureCacheMs: number;
  private readonly rejectedHoldoffMs: number;

  private cached: PublishedToken | undefined;
  /** `expires_at − skew` of the cached token, in epoch ms: the cache ends exactly then. */
  private cachedUntilMs = 0;
  private inflight: Promise<PublishedToken> | undefined;
  private failure: { error: TokenReaderError; untilMs: number } | undefined;
  /** Bumped by `invalidate()`, so that a read started before it cannot refill the cache. */
  private generation = 0;
  /** The token last rejected with `invalidate(token)`; once the store hands it back, no re-read until `holdoffUntilMs`. */
  private rejected: { accessToken: string; holdoffUntilMs: number } | undefined;

  constructor(options: TokenReaderOptions) {
    this.tokenSource = options.tokenSource;
    this.skewSeconds = nonNegative('skewSeconds', options.skewSeconds ?? DEFAULT_SKEW_SECONDS);
    this.failureCacheMs =
      1000 * nonNegative('failureCacheSeconds', options.failureCacheSeconds ?? DEFAULT_FAILURE_CACHE_SECONDS);
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
      throw new RangeError(`TokenReader: maxAttempts must be an integer from 1 to 10, got ${maxAttempts}`);
    }
    const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    if (!Number.isFinite(readTimeoutMs) || readTimeoutMs <= 0) {
      throw new RangeError(`TokenReader: readTimeoutMs must be a finite number of ms > 0, got ${readTimeoutMs}`);
    }
    const sleep = options.sleep ?? defaultSleep;
    this.readPolicy = { tokenSource: options.tokenSource, maxAttempts, readTimeoutMs, sleep };
    this.rejectedHoldoffMs =
      1000 * nonNegative('rejectedHoldoffSeconds', options.rejectedHoldoffSeconds ?? DEFAULT_REJECTED_HOLDOFF_SECONDS);
    this.clock = options.clock ?? Date.now;
    this.monotonic = options.clock ?? (() => performance.timeOrigin + performance.now());

    const source = parseTokenSource(options.tokenSource);
    switch (source.kind) {
      case 'secretsmanager':
        this.store = secretsManagerStore(options.tokenSource, source.secretId, {
          client: options.secretsManager,
          region: source.region,
        });
        break;
      case 'ssm':
        this.store = ssmStore(source.parameterName, { client: options.ssm, region: source.region });
        break;
      case 'file':
        this.store = fileStore(source.path);
        break;
    }
  }

  /** The access token, from the cache while it has more than `skewSeconds` left, else from the store. */
  getAccessToken(): Promise<string> {
    // The cache hit is the hot path of every consumer: no async function, one resolved promise.
    const cached = this.cached;
    if (cached && this.now() < this.cachedUntilMs) return Promise.resolve(cached.access_token);
    return this.sharedToken().then((token) => token.access_token);
  }

  /**
   * The whole published token (`expires_at`, `scope`, `provider`, …), under the same rules as
   * `getAccessToken`. Each call gets its own copy, so a caller that changes it changes nobody else's.
   */
  getToken(): Promise<PublishedToken> {
    return this.sharedToken().then((token) => ({ ...token }));
  }

  /** The cached token or the one read in flight: the same object for every caller, never handed out. */
  private sharedToken(): Promise<PublishedToken> {
    const now = this.now();
    if (this.cached && now < this.cachedUntilMs) return Promise.resolve(this.cached);
    if (this.failure && now < this.failure.untilMs) return Promise.reject(this.failure.error);
    return (this.inflight ??= this.startRead());
  }

  /**
   * Forgets the cached token, so that the next call reads the store. Call it when an API rejects the
   * token (401), passing that token. It forgets nothing, so no extra read happens, when:
   * - the cache holds a newer token, or none (another request's re-read is in flight or just failed);
   * - the store handed this same token back after it was rejected, less than `rejectedHoldoffSeconds`
   *   ago: the next call returns it again, and the caller fails its API call.
   * Without a token, it forgets everything, the failure cache included.
   */
  invalidate(rejectedAccessToken?: string): void {
    if (rejectedAccessToken !== undefined) {
      if (this.cached?.access_token !== rejectedAccessToken) return;
      const rejected = this.rejected;
      if (rejected?.accessToken === rejectedAccessToken && this.now() < rejected.holdoffUntilMs) return;
      this.rejected = { accessToken: rejectedAccessToken, holdoffUntilMs: 0 };
    }
    this.generation++;
    this.cached = undefined;
    this.cachedUntilMs = 0;
    this.inflight = undefined;
    this.failure = undefined;
  }

  /** Fresh means strictly more than `skewSeconds` left: at exactly `expires_at − skew` the cache ends. */
  private isFresh(token: PublishedToken, now: number): boolean {
    return now < this.staleSinceMs(token);
  }

  private staleSinceMs(token: PublishedToken): number {
    return (token.expires_at - this.skewSeconds) * 1000;
  }

  private startRead(): Promise<PublishedToken> {
    const generation = this.generation;
    const current = () => generation === this.generation;
    // A read abandoned by invalidate() makes no more attempts: its result would be thrown away.
    return this.readFresh(() => !current()).then(
      (token) => {
        if (current()) {
          this.inflight = undefined;
          this.cached = token;
          this.cachedUntilMs = this.staleSinceMs(token);
          this.failure = undefined;
          if (this.rejected?.accessToken === token.access_token) {
            this.rejected.holdoffUntilMs = this.now() + this.rejectedHoldoffMs;
          }
        }
        return token;
      },
      (error: unknown) => {
        // Callers of an abandoned read get the current answer, not the failure of an outdated read.
        if (!current()) return this.sharedToken();
        this.inflight = undefined;
        // Only the reader's own errors are remembered; anything else is a bug and surfaces as is.
        if (error instanceof TokenReaderError && this.failureCacheMs > 0) {
          this.failure = { error, untilMs: this.now() + this.failureCacheMs };
        }
        throw error;
      },
    );
  }

  /** One store read (with retries), parsed and checked against the clock after the read. */
  private async readFresh(abandoned: () => boolean): Promise<PublishedToken> {
    const read = await readWithRetries(this.store, this.readPolicy, abandoned);
    if (!read.found) throw new TokenNotFoundError(this.tokenSource, read.why, { cause: read.cause });
    // Bounded before its issued_at may move this reader's clock.
    const token = parsePublishedToken(this.tokenSource, read.text, this.now());
    this.observeIssuedAt(token);
    const now = this.now();
    if (!this.isFresh(token, now)) {
      throw new StaleTokenError(this.tokenSource, {
        provider: token.provider,
        expiresAt: new Date(token.expires_at * 1000),
        staleSince: new Date(this.staleSinceMs(token)),
        now: new Date(now),
        clockBehindSeconds: Math.round((now - this.clock()) / 1000),
      });
    }
    return token;
  }

  /**
   * The refresher stamps `issued_at` when it sends the token request, before anyone can read the
   * token: an `issued_at` after this reader's time proves this clock is at least that far behind.
   */
  private observeIssuedAt(token: PublishedToken): void {
    const issuedMs = token.issued_at * 1000;
    if (issuedMs > this.now()) this.refresherTime = { atMs: issuedMs, monotonicMs: this.monotonic() };
  }

  /** This clock's time, or the refresher's as last proved and carried forward, whichever is later. */
  private now(): number {
    const local = this.clock();
    const known = this.refresherTime;
    return known === undefined ? local : Math.max(local, known.atMs + this.monotonic() - known.monotonicMs);
  }
}

function nonNegative(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`TokenReader: ${option} must be a finite number of seconds ≥ 0, got ${value}`);
  }
  return value;
}
